"""Local fake servers for the paid APIs (Gemini/Veo, Cloudinary), driven by their real SDKs."""
