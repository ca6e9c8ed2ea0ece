-- Drives a real headless Neovim against notels through require('notels').setup(), the config
-- for Neovim 0.9 / 0.10 (which lack vim.lsp.config; newer ones keep everything it calls).
-- Inputs (environment): NOTELS_NVIM_RTP (editors/neovim), NOTELS_CMD (JSON list), NOTELS_NOTE,
-- NOTELS_OUTSIDE_NOTE, NOTELS_OUT (JSON written here). Each step records what it saw; the
-- pytest side asserts on that record.
local driver = dofile(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)) .. '/nvim_driver.lua')
local out = {}
local notifications = {}
vim.notify = function(msg)
  table.insert(notifications, msg)
end

local indexed = driver.watch_indexing()

local function diagnostic_codes()
  local codes = {}
  for _, diagnostic in ipairs(vim.diagnostic.get(0)) do
    table.insert(codes, diagnostic.code)
  end
  table.sort(codes)
  return codes
end

local ok, err = pcall(function()
  vim.opt.runtimepath:prepend(os.getenv('NOTELS_NVIM_RTP'))
  require('notels').setup({ cmd = vim.json.decode(os.getenv('NOTELS_CMD')) })

  vim.cmd.edit(vim.fn.fnameescape(os.getenv('NOTELS_NOTE')))
  out.attached = vim.wait(15000, function()
    return #vim.lsp.get_clients({ bufnr = 0, name = 'notels' }) > 0
  end, 50)
  local client = vim.lsp.get_clients({ bufnr = 0, name = 'notels' })[1]
  if not client then
    return
  end
  out.root_dir = client.root_dir
  out.watching = vim.tbl_get(
    client.config.capabilities,
    'workspace',
    'didChangeWatchedFiles',
    'dynamicRegistration'
  )
  out.indexed = vim.wait(15000, indexed, 50)
  vim.wait(5000, function()
    return vim.deep_equal(diagnostic_codes(), { 'missing-id', 'unresolved-link' })
  end, 50)
  out.diagnostics = diagnostic_codes()

  -- The setup's own command: the server edits the open buffer through workspace/applyEdit.
  out.generate_ids_command = vim.fn.exists(':NotelsGenerateIds') == 2
  vim.cmd('NotelsGenerateIds')
  vim.wait(5000, function()
    return vim.deep_equal(diagnostic_codes(), { 'unresolved-link' })
  end, 50)
  out.diagnostics_after_ids = diagnostic_codes()
  out.buffer_after_ids = vim.api.nvim_buf_get_lines(0, 0, -1, false)

  -- A hover window is a Markdown buffer too: no server for it.
  local float_buf = vim.lsp.util.open_floating_preview({ '# Hover', 'text' }, 'markdown')
  vim.wait(300)
  out.clients_on_hover_window = #vim.lsp.get_clients({ bufnr = float_buf, name = 'notels' })

  vim.cmd.edit(vim.fn.fnameescape(os.getenv('NOTELS_OUTSIDE_NOTE')))
  vim.wait(1000)
  out.clients_outside = #vim.lsp.get_clients({ bufnr = 0, name = 'notels' })
  out.clients = #vim.lsp.get_clients({ name = 'notels' })
end)
if not ok then
  out.error = tostring(err)
end
out.notifications = notifications
out.messages = vim.api.nvim_exec2('messages', { output = true }).output
driver.finish(out)
