"""Many Notes -> one Index: names, aliases, headings, backlinks, card IDs."""
