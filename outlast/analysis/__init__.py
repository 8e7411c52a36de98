"""Analysis of results: tables, figures, sensitivity, discovery, validation against figures."""
