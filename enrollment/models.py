"""Applications, enrollments and the staff work queue (see the enrollment issue)."""
