"""Words: English and Khmer (messages, dates, numbers), and text escaped for where it goes."""
