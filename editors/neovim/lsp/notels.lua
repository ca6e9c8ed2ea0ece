-- notels for Neovim 0.11+: put this folder on 'runtimepath' (or copy this file into your
-- config's lsp/ folder), then call vim.lsp.enable('notels').

-- The vault: the nearest folder holding .obsidian/ or .notels.toml, whichever comes first on
-- the way up (a .notels.toml vault inside an .obsidian one is its own). Markdown elsewhere,
-- and scratch buffers such as hover windows (Markdown too), get no server.
local function vault_root(bufnr, on_dir)
  if vim.bo[bufnr].buftype ~= '' then
    return
  end
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name == '' then
    return
  end
  local marker = vim.fs.find({ '.obsidian', '.notels.toml' }, {
    upward = true,
    path = vim.fs.dirname(name),
  })[1]
  if marker then
    on_dir(vim.fs.dirname(marker))
  end
end

---@type vim.lsp.Config
return {
  cmd = { 'notels', 'serve' },
  filetypes = { 'markdown' },
  root_dir = vault_root,
  -- Neovim offers file watching only on macOS and Windows by default; without it, notes that
  -- Obsidian, git or a sync tool change on disk would never reach the server on Linux.
  capabilities = vim.tbl_deep_extend('force', vim.lsp.protocol.make_client_capabilities(), {
    workspace = { didChangeWatchedFiles = { dynamicRegistration = true } },
  }),
  -- Sent to the server as the `notels` section of workspace/configuration; keys as in
  -- .notels.toml, e.g. { notels = { rules = { ['missing-id'] = 'error' }, ['id-style'] = 'plain' } }
  settings = { notels = vim.empty_dict() },
  on_attach = function(client, bufnr)
    -- Every card of the vault without an ID gets one; notes that are not open are changed in
    -- hidden buffers: `:wa` saves them.
    vim.api.nvim_buf_create_user_command(bufnr, 'NotelsGenerateIds', function()
      client:exec_cmd({ title = 'Generate IDs', command = 'notels.generateIds' }, { bufnr = bufnr })
    end, { desc = 'notels: give every card of the vault without an ID a new one' })
  end,
}
