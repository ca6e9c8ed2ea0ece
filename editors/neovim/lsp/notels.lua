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

-- Neovim starts no server whose command is not executable and says so only in its LSP log
-- (it checks cmd before it asks root_dir), so without notels installed a note just gets no
-- diagnostics, with no hint why. Say it once, for a Markdown buffer inside a vault.
local function warn_if_not_installed(bufnr)
  if vim.bo[bufnr].filetype ~= 'markdown' then
    return
  end
  -- Listing configs (:checkhealth, a plugin) reads this file too: only an enabled server counts.
  -- (vim.lsp.is_enabled is missing from the first 0.11 releases.)
  if vim.lsp.is_enabled and not vim.lsp.is_enabled('notels') then
    return
  end
  -- The merged config: a cmd set with vim.lsp.config('notels', { cmd = ... }) is the one run.
  local cmd = vim.lsp.config.notels.cmd
  if type(cmd) ~= 'table' or vim.fn.executable(cmd[1]) == 1 then
    return
  end
  vault_root(bufnr, function()
    -- notify_once: this file runs again after every vim.lsp.config('notels', ...) call.
    vim.notify_once(
      ('notels: `%s` is not executable, so notes get no checks. Install notels (pip install '
        .. '<a notels checkout>) or give its path: '
        .. "vim.lsp.config('notels', { cmd = { '/path/to/notels', 'serve' } })"):format(cmd[1]),
      vim.log.levels.WARN
    )
  end)
end

vim.api.nvim_create_autocmd('FileType', {
  pattern = 'markdown',
  group = vim.api.nvim_create_augroup('notels.not_installed', { clear = true }),
  callback = function(args)
    warn_if_not_installed(args.buf)
  end,
})
-- Neovim reads this file while it handles the FileType event of the first buffer, too late for
-- the autocmd above to fire for that buffer: check the buffers already open, once the config
-- this file returns is in place.
vim.schedule(function()
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) then
      warn_if_not_installed(bufnr)
    end
  end
end)

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
