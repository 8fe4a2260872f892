"""Local fake servers for the paid APIs (Gemini/Omni, Cloudinary), driven by their real SDKs."""
