"""The offline engine: a compositor and motion designer built on OpenCV, Pillow and PyAV.

The pipeline, in the order it runs:

1. ``vision``: one look at the person photo (person mask, pose, hands, faces), once per
   image job; the Haar-cascade face finder in ``image.faces`` stands in when it is absent.
2. ``image``: frame the photo for the aspect ratio, cut the product out, stage it (in the
   better hand, in the foreground before a depth-blurred person, or raised from the bottom
   of the frame), light it like the person, draw the fingers in front, caption clear of the
   face, hands and product; the layers and the chosen composition go into the scene.
3. ``video``: the scene's layers moved apart by a pushing, handheld camera, the product
   lifted with the hand, a close-up of the product, then the end card; H.264 720p.

``kit`` holds what both stages share (boxes, typed arrays, fonts, captions, photo decoding).
"""
