"""Spanish dates as California's Medi-Cal letters write them: "1 de diciembre de 2026".

Numbers follow Django's Spanish locale, except the thousands separator: Spanish in the United
States writes 1,000.50 (as Medi-Cal's Spanish notices do), not 1.000,50.
"""

DATE_FORMAT = r"j \d\e F \d\e Y"
DATETIME_FORMAT = r"j \d\e F \d\e Y, H:i"
SHORT_DATE_FORMAT = "d/m/Y"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = r"j \d\e F"
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
