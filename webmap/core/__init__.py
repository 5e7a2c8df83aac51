"""The web app's core without Flask: view parameters, basemaps, display data, the Folium skeleton.

Everything here takes plain data (the layers, the catalog, a query's MultiDict) and returns plain
data or HTML strings, so it is unit-tested without an app or a request. Bad parameters raise
Werkzeug's HTTP exceptions (400/404 with a message), which the app turns into its error page.
"""
