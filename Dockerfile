# Pailin Atlas: the Streamlit app for hosting (docs/DEPLOYING.md).
#   docker build -t pailin-atlas .
#   docker run -p 8501:8501 pailin-atlas
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MPLCONFIGDIR=/tmp/matplotlib

WORKDIR /app
# Dependencies first: a change to the code does not reinstall them. All are wheels (GDAL, PROJ, GEOS and
# ffmpeg come inside pyogrio, pyproj, shapely and imageio-ffmpeg): no compiler, no system packages.
COPY requirements.txt .
RUN pip install -r requirements.txt

RUN useradd --create-home --uid 10001 atlas
COPY --chown=root:root . .
# The app writes its feature stores to static/ (served at /app/static/) and tiles to ~/.cache: the only
# places the app's user may write.
RUN mkdir -p static && chown atlas:atlas static
USER atlas

EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4)"]
CMD ["streamlit", "run", "app.py", "--server.address=0.0.0.0", "--server.port=8501", "--server.headless=true", "--server.fileWatcherType=none", "--browser.gatherUsageStats=false"]
