-- Drives a real headless Neovim against notels with the repository's lsp/notels.lua and the
-- settings of NOTELS_SETTINGS (JSON, the `notels` section) given as the README shows, through
-- vim.lsp.config. Inputs (environment): NOTELS_NVIM_RTP, NOTELS_CMD (JSON list), NOTELS_NOTE,
-- NOTELS_OTHER_NOTE, NOTELS_OUT. Records every vim.notify call and the diagnostics.
local driver = dofile(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)) .. '/nvim_driver.lua')
local out = {}
local notified = {}
vim.notify = function(msg)
  table.insert(notified, msg)
end
local indexed = driver.watch_indexing()

driver.run(out, notified, function()
  vim.opt.runtimepath:prepend(os.getenv('NOTELS_NVIM_RTP'))
  vim.lsp.config('notels', {
    cmd = vim.json.decode(os.getenv('NOTELS_CMD')),
    settings = { notels = vim.json.decode(os.getenv('NOTELS_SETTINGS')) },
  })
  vim.lsp.enable('notels')
  vim.cmd.edit(vim.fn.fnameescape(os.getenv('NOTELS_NOTE')))
  out.attached = vim.wait(15000, function()
    return #vim.lsp.get_clients({ bufnr = 0, name = 'notels' }) > 0
  end, 50)
  out.indexed = vim.wait(15000, indexed, 50)
  vim.wait(5000, function()
    return #vim.diagnostic.get(0) > 0
  end, 50)
  vim.cmd.edit(vim.fn.fnameescape(os.getenv('NOTELS_OTHER_NOTE')))
  vim.wait(1500)
  out.clients = #vim.lsp.get_clients({ name = 'notels' })
end)
