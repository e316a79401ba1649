"""English dates as the portal has always written them: "December 1, 2026" (docs/i18n.md)."""

DATE_FORMAT = "F j, Y"
DATETIME_FORMAT = "F j, Y, g:i a"
SHORT_DATE_FORMAT = "m/d/Y"
TIME_FORMAT = "g:i A"
MONTH_DAY_FORMAT = "F j"
