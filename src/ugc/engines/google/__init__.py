"""Google engines: Gemini for images and Omni Flash for videos, through google-genai."""
