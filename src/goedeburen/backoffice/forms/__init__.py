"""Back-office forms, one module per screen area like the views."""
