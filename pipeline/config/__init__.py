"""Configuration: config.yaml -> frozen, typed objects, validated once."""
