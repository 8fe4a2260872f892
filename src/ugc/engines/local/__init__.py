"""The offline engine: a compositor and motion designer built on OpenCV, Pillow and PyAV."""
