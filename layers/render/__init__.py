"""How the state is drawn: one symbology, the browser's time layer and document, the static renderer."""
