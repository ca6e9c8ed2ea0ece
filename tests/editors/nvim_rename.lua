-- Drives a real headless Neovim through Neovim's own commands (vim.lsp.buf.rename and
-- vim.lsp.buf.code_action, with vim.ui.select answered by the script) against notels, with the
-- repository's lsp/notels.lua (or, with NOTELS_SETUP=1, require('notels').setup()). Inputs
-- (environment): NOTELS_NVIM_RTP (editors/neovim), NOTELS_CMD (JSON list), NOTELS_NOTE (links
-- [[Other]] on lines 2 and 4 and [[Missing]] on line 3), NOTELS_OUT (JSON written here).
local driver = dofile(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)) .. '/nvim_driver.lua')
local out = {}
local notified = {}
vim.notify = function(msg)
  table.insert(notified, msg)
end
local indexed = driver.watch_indexing()

local ok, err = pcall(function()
  driver.enable_notels()
  local note = os.getenv('NOTELS_NOTE')
  vim.cmd.edit(vim.fn.fnameescape(note))
  out.attached = vim.wait(15000, function()
    return #vim.lsp.get_clients({ bufnr = 0, name = 'notels' }) > 0
  end, 50)
  out.indexed = vim.wait(15000, indexed, 50)
  vim.wait(5000, function()
    return #vim.diagnostic.get(0) > 0
  end, 50)

  -- The light bulb on `[[Missing]]`: which quick fixes does Neovim's own picker list?
  vim.api.nvim_win_set_cursor(0, { 3, 8 })
  local titles
  vim.ui.select = function(items, _, on_choice)
    titles = {}
    for _, item in ipairs(items) do
      table.insert(titles, item.action.title)
    end
    on_choice(nil)
  end
  vim.lsp.buf.code_action()
  vim.wait(5000, function()
    return titles ~= nil
  end, 50)
  out.missing_link_actions = titles or {}

  -- Document highlights, as vim.lsp.buf.document_highlight() asks for them (a CursorHold
  -- autocmd in a user's config): the links of this note to the same note.
  vim.api.nvim_win_set_cursor(0, { 2, 7 })
  local references = vim.api.nvim_create_namespace('nvim.lsp.references')
  vim.lsp.buf.document_highlight()
  vim.wait(5000, function()
    return #vim.api.nvim_buf_get_extmarks(0, references, 0, -1, {}) > 0
  end, 50)
  out.highlights = {}
  for _, mark in ipairs(vim.api.nvim_buf_get_extmarks(0, references, 0, -1, { details = true })) do
    table.insert(out.highlights, { mark[2], mark[3], mark[4].end_row, mark[4].end_col, mark[4].hl_group })
  end
  vim.lsp.buf.clear_references()

  -- Rename the note `[[Other]]` names, as a user does with `grn` / vim.lsp.buf.rename().
  vim.api.nvim_win_set_cursor(0, { 2, 7 })
  local renamed = vim.fs.joinpath(vim.fs.dirname(note), 'Renamed.md')
  vim.lsp.buf.rename('Renamed')
  vim.wait(5000, function()
    return vim.uv.fs_stat(renamed) ~= nil or #notified > 0
  end, 50)
  vim.wait(300)
  out.renamed_file_exists = vim.uv.fs_stat(renamed) ~= nil
  out.old_file_exists = vim.uv.fs_stat(vim.fs.joinpath(vim.fs.dirname(note), 'Other.md')) ~= nil
  out.line_after_rename = vim.api.nvim_buf_get_lines(0, 1, 2, false)[1]
  out.notifications = vim.deepcopy(notified)

  -- :NotelsGenerateIds in a vault whose only card lacks an ID (Cards.md): what does it say?
  local before = #notified
  vim.cmd('NotelsGenerateIds')
  vim.wait(5000, function()
    return #notified > before
  end, 50)
  out.generate_ids_said = vim.list_slice(notified, before + 1)
  -- Cards.md is not open: the server writes it (writeClosedNotes), Neovim loads no buffer.
  local cards = vim.fs.joinpath(vim.fs.dirname(note), 'Cards.md')
  out.cards_loaded = vim.fn.bufloaded(cards) == 1
  local handle = io.open(cards, 'rb')
  out.cards_on_disk = handle and handle:read('*a') or nil
  if handle then
    handle:close()
  end
end)
if not ok then
  out.error = tostring(err)
end
out.notifications = out.notifications or notified
driver.finish(out)
