"""``parity cloud-init``: detect what a cloud session needs, render the script, plan the writes."""
