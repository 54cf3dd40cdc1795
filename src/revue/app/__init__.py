"""The Textual application. The only package of revue that imports Textual."""
