"""The articles: a list, and each article in full with its cited passages marked."""
