"""Model registry: content-addressed model files, serialization with explicit trust."""
