"""The language server: pygls glue over the same rules `notels check` runs.

`server.py` registers handlers, `convert.py` translates to and from the protocol, `workspace.py`
holds the state (vaults, open documents) without knowing the protocol, `indexer.py` fills a
vault's index in the background, `debounce.py` delays re-checks while the user types.
"""
