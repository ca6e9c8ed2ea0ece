-- Review s31: a vault nested in another (outer/.obsidian, outer/inner/.notels.toml), with the
-- repository's lsp/notels.lua (or, with NOTELS_SETUP=1, require('notels').setup()). The user
-- opens a note of the outer vault, then a note of the inner one and types into it (unsaved),
-- goes back to the outer note and runs :NotelsGenerateIds.
-- Inputs (environment): NOTELS_NVIM_RTP, NOTELS_CMD (JSON list), NOTELS_SETUP, NOTELS_OUTER_NOTE,
-- NOTELS_INNER_NOTE (each one card without an ID), NOTELS_OUT. Records the clients' roots, the
-- inner note's buffer and what is on disk for it afterwards.
local driver = dofile(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)) .. '/nvim_driver.lua')
local out = {}
local notified = driver.record_notifications()

local function diagnosed()
  return vim.wait(20000, function()
    return #vim.diagnostic.get(0) > 0
  end, 50)
end

driver.run(out, notified, function()
  driver.enable_notels()
  local outer, inner = os.getenv('NOTELS_OUTER_NOTE'), os.getenv('NOTELS_INNER_NOTE')
  vim.cmd.edit(vim.fn.fnameescape(outer))
  out.outer_diagnosed = diagnosed()
  vim.cmd.edit(vim.fn.fnameescape(inner))
  out.inner_diagnosed = diagnosed()
  local inner_buf = vim.api.nvim_get_current_buf()
  -- Unsaved work in the inner note.
  vim.api.nvim_buf_set_lines(inner_buf, 0, 0, false, { 'Typed, not saved yet.' })
  vim.wait(300)
  out.roots = {}
  for _, client in ipairs(vim.lsp.get_clients({ name = 'notels' })) do
    table.insert(out.roots, client.root_dir)
  end
  vim.cmd.edit(vim.fn.fnameescape(outer))
  vim.cmd('NotelsGenerateIds')
  vim.wait(5000, function()
    return vim.api.nvim_buf_get_lines(0, 4, 5, false)[1]:match('^ID: ') ~= nil
  end, 50)
  vim.wait(1000)
  out.inner_buffer = vim.api.nvim_buf_get_lines(inner_buf, 0, -1, false)
  out.inner_modified = vim.bo[inner_buf].modified
  local handle = assert(io.open(inner, 'rb'))
  out.inner_on_disk = handle:read('*a')
  handle:close()
end)
