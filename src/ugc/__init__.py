"""UGC Studio: a person photo and a product photo in, a UGC-style ad image and video out."""

__version__ = "0.1.0"
