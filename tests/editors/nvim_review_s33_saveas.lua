-- Review s33: `:saveas` of a note of one vault into another vault, each with its own server.
-- The user opens a note of vault B (a card without an ID) and types into it, unsaved; opens a
-- note of vault A, saves it as a note of vault B with `:saveas`, and runs :NotelsGenerateIds
-- there. Inputs (environment): NOTELS_NVIM_RTP, NOTELS_CMD (JSON list), NOTELS_B_NOTE,
-- NOTELS_A_NOTE, NOTELS_SAVE_AS, NOTELS_OUT. Records the roots of the clients of the saved
-- buffer, what Generate IDs said, and vault B's note: its buffer and its file.
local driver = dofile(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)) .. '/nvim_driver.lua')
local out = {}
local notified = driver.record_notifications()

local function attached()
  return vim.wait(10000, function()
    return #vim.lsp.get_clients({ bufnr = 0, name = 'notels' }) > 0
  end, 50)
end

driver.run(out, notified, function()
  driver.enable_notels()
  local b_note = os.getenv('NOTELS_B_NOTE')
  vim.cmd.edit(vim.fn.fnameescape(b_note))
  out.b_attached = attached()
  vim.wait(5000, function()
    return #vim.diagnostic.get(0) > 0
  end, 50)
  local b_buf = vim.api.nvim_get_current_buf()
  vim.api.nvim_buf_set_lines(b_buf, 0, 0, false, { 'Typed, not saved yet.' })
  vim.wait(300)
  vim.cmd.edit(vim.fn.fnameescape(os.getenv('NOTELS_A_NOTE')))
  out.a_attached = attached()
  vim.wait(1000)
  vim.cmd.saveas(vim.fn.fnameescape(os.getenv('NOTELS_SAVE_AS')))
  vim.wait(1000)
  out.roots = {}
  for _, client in ipairs(vim.lsp.get_clients({ bufnr = 0, name = 'notels' })) do
    table.insert(out.roots, client.root_dir)
  end
  local before = #notified
  vim.cmd('NotelsGenerateIds')
  vim.wait(5000, function()
    return #notified > before
  end, 50)
  vim.wait(500)
  out.b_buffer = vim.api.nvim_buf_get_lines(b_buf, 0, -1, false)
  out.b_modified = vim.bo[b_buf].modified
  local handle = assert(io.open(b_note, 'rb'))
  out.b_on_disk = handle:read('*a')
  handle:close()
end)
