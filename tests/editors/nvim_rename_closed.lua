-- Review s30: vim.lsp.buf.rename on a link to a note other notes link to, those notes not open,
-- with the repository's lsp/notels.lua (or, with NOTELS_SETUP=1, require('notels').setup()).
-- Inputs (environment): NOTELS_NVIM_RTP, NOTELS_CMD, NOTELS_SETUP,
-- NOTELS_NOTE (an open note whose line 2 links to [[Target]]), NOTELS_CLOSED (JSON list of the
-- closed notes linking to it), NOTELS_OUT; or, to rename something else than a note,
-- NOTELS_RENAME ({"line": 2, "column": 12, "to": "ai"}): done when the first closed note changes. Records, for the closed notes, whether Neovim loaded
-- them, left them modified, sent the server a didOpen for them, and what is on disk; and the
-- buffers left unsaved; and each diagnostic the open note showed from the rename on.
local driver = dofile(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)) .. '/nvim_driver.lua')
local out = { did_open = {} }
local notified = driver.record_notifications()
local indexed = driver.watch_indexing()
vim.api.nvim_create_autocmd('LspNotify', {
  callback = function(args)
    if args.data.method == 'textDocument/didOpen' then
      table.insert(out.did_open, vim.uri_to_fname(args.data.params.textDocument.uri))
    end
  end,
})

driver.run(out, notified, function()
  driver.enable_notels()
  local note = os.getenv('NOTELS_NOTE')
  vim.cmd.edit(vim.fn.fnameescape(note))
  out.attached = vim.wait(15000, function()
    return #vim.lsp.get_clients({ bufnr = 0, name = 'notels' }) > 0
  end, 50)
  out.indexed = vim.wait(15000, indexed, 50)
  vim.wait(500)
  out.did_open = {}

  local open_buf = vim.api.nvim_get_current_buf()
  out.shown = {}
  vim.api.nvim_create_autocmd('DiagnosticChanged', {
    buffer = open_buf,
    callback = function()
      for _, d in ipairs(vim.diagnostic.get(open_buf)) do
        table.insert(out.shown, { code = d.code, message = d.message })
      end
    end,
  })
  local closed_files = vim.json.decode(os.getenv('NOTELS_CLOSED'))
  local function read(file)
    local handle = assert(io.open(file, 'rb'))
    local text = handle:read('*a')
    handle:close()
    return text
  end
  local asked = os.getenv('NOTELS_RENAME')
  if asked then
    local rename = vim.json.decode(asked)
    local before = read(closed_files[1])
    vim.api.nvim_win_set_cursor(0, { rename.line, rename.column })
    vim.lsp.buf.rename(rename.to)
    out.renamed = vim.wait(10000, function()
      return read(closed_files[1]) ~= before
    end, 20)
  else
    vim.api.nvim_win_set_cursor(0, { 2, 12 })
    local renamed = vim.fs.joinpath(vim.fs.dirname(note), 'Renamed.md')
    vim.lsp.buf.rename('Renamed')
    out.renamed = vim.wait(10000, function()
      return vim.uv.fs_stat(renamed) ~= nil
    end, 20)
  end
  vim.wait(1000) -- the attachments Neovim schedules after the edit, the server's answers

  out.open_lines = vim.api.nvim_buf_get_lines(open_buf, 0, -1, false)
  out.closed = {}
  for _, file in ipairs(closed_files) do
    local bufnr = vim.fn.bufnr(file)
    table.insert(out.closed, {
      file = file,
      loaded = bufnr ~= -1 and vim.api.nvim_buf_is_loaded(bufnr),
      modified = bufnr ~= -1 and vim.bo[bufnr].modified,
      on_disk = read(file),
    })
  end
  -- The buffers `:qa` refuses to quit over (E37/E162), once the open note itself is saved.
  vim.cmd('silent write')
  out.unsaved = {}
  for _, info in ipairs(vim.fn.getbufinfo({ bufmodified = 1 })) do
    table.insert(out.unsaved, vim.fs.basename(info.name))
  end
end)
