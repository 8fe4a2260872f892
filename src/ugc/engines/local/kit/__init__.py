"""The small tools both stages share: boxes, typed arrays, fonts, captions, photo decoding."""
