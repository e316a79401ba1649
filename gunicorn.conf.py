"""gunicorn settings, read from the working directory whenever gunicorn starts here."""

# Where an access log is kept (--access-logfile), it leaves out query strings: a staff search
# by name and birth date is protected health information.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'
