"""Intent catalog (data) and the rapidfuzz matcher. Pure: imports nothing from bot/ or handoff/."""
