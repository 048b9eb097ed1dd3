"""Large synthetic datasets and measurements for `ketnap bench` (not loaded by the web application)."""
