-- notels for Neovim 0.11+: put this folder on 'runtimepath' (or copy this file into your
-- config's lsp/ folder), then call vim.lsp.enable('notels').
---@type vim.lsp.Config
return {
  cmd = { 'notels', 'serve' },
  filetypes = { 'markdown' },
  -- A vault is the folder holding .obsidian/ or .notels.toml; .git as a fallback.
  root_markers = { '.obsidian', '.notels.toml', '.git' },
  -- Sent to the server as the `notels` section of workspace/configuration; keys as in
  -- .notels.toml, e.g. { notels = { rules = { ['missing-id'] = 'error' }, ['id-style'] = 'plain' } }
  settings = { notels = vim.empty_dict() },
}
