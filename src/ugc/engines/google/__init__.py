"""Google engines: Gemini for images and Veo for videos, through google-genai."""
