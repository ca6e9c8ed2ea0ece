-- notels for Neovim 0.9 / 0.10, which lack vim.lsp.config: require('notels').setup({...}).
-- On 0.11+ prefer lsp/notels.lua with vim.lsp.enable('notels').
local M = {}

local defaults = {
  cmd = { 'notels', 'serve' },
  root_markers = { '.obsidian', '.notels.toml', '.git' },
  settings = { notels = vim.empty_dict() },
}

local function find_root(bufnr, markers)
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name == '' then
    return nil
  end
  for _, marker in ipairs(markers) do
    local found = vim.fs.find(marker, { upward = true, path = vim.fs.dirname(name) })[1]
    if found then
      return vim.fs.dirname(found)
    end
  end
  return vim.fs.dirname(name)
end

function M.setup(opts)
  local config = vim.tbl_deep_extend('force', defaults, opts or {})
  vim.api.nvim_create_autocmd('FileType', {
    pattern = 'markdown',
    group = vim.api.nvim_create_augroup('notels', { clear = true }),
    callback = function(args)
      vim.lsp.start({
        name = 'notels',
        cmd = config.cmd,
        root_dir = find_root(args.buf, config.root_markers),
        settings = config.settings,
      }, { bufnr = args.buf })
    end,
  })
end

return M
