# One image for web (gunicorn), worker and beat.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
# DejaVu fonts let letters print Latin, Cyrillic and Armenian scripts; Noto Sans CJK and Noto
# Sans Khmer the Chinese, Korean and Khmer taglines, embedded in each PDF (notices/fonts.py).
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-dejavu-core fonts-noto-cjk fonts-noto-core \
 && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml ./
COPY . .
RUN pip install --no-cache-dir . \
 && useradd --system --uid 1000 portal \
 && DJANGO_STATIC_MANIFEST=1 python manage.py collectstatic --noinput \
 && mkdir -p var/fonts && chown portal var/fonts
USER portal
EXPOSE 8000
# gunicorn.conf.py keeps query strings (PHI in staff searches) out of the access log.
CMD ["gunicorn", "medimedi.wsgi", "--bind", "0.0.0.0:8000", "--workers", "4", "--access-logfile", "-"]
