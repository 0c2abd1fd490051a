"""Dataset acquisition, validation and loading (one loader module per dataset)."""
