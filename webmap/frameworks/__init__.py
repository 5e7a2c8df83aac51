"""`/frameworks/` and `/frameworks/<id>`: each framework an article states, to compare them."""
