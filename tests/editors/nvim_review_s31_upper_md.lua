-- Review s31: a vault note whose extension is written in capitals (`Card.MD`, as Windows tools,
-- cameras' and phones' exports and some sync tools name them), opened with the repository's
-- lsp/notels.lua (or, with NOTELS_SETUP=1, require('notels').setup()).
-- Inputs (environment): NOTELS_NVIM_RTP, NOTELS_CMD (JSON list), NOTELS_SETUP, NOTELS_NOTE,
-- NOTELS_OUT. Records the buffer's filetype, whether a notels client attached, and the codes
-- of the diagnostics shown.
local driver = dofile(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)) .. '/nvim_driver.lua')
local out = {}
local notified = driver.record_notifications()

driver.run(out, notified, function()
  driver.enable_notels()
  vim.cmd.edit(vim.fn.fnameescape(os.getenv('NOTELS_NOTE')))
  out.filetype = vim.bo.filetype
  out.attached = vim.wait(10000, function()
    return #vim.lsp.get_clients({ bufnr = 0, name = 'notels' }) > 0
  end, 50)
  vim.wait(out.attached and 10000 or 0, function()
    return #vim.diagnostic.get(0) > 0
  end, 50)
  out.codes = {}
  for _, diagnostic in ipairs(vim.diagnostic.get(0)) do
    table.insert(out.codes, diagnostic.code)
  end
  table.sort(out.codes)
end)
