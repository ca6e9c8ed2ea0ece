-- Drives a real headless Neovim against notels with the repository's own lsp/notels.lua.
-- Inputs (environment): NOTELS_NVIM_RTP (editors/neovim), NOTELS_CMD (JSON list), NOTELS_NOTE,
-- NOTELS_LINK_NOTE, NOTELS_OUT (JSON written here). Each step records what it saw; the pytest
-- side asserts on that record, so a failing step never hides the others.
local driver = dofile(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)) .. '/nvim_driver.lua')
local out = {}
local function record(key, value)
  out[key] = value
end

-- Every message Neovim or the config shows the user, still shown as usual.
local notifications = driver.record_notifications()

local function finish()
  record('notifications', notifications)
  driver.finish(out)
end

local indexed = driver.watch_indexing()
local diagnostic_changes = 0
vim.api.nvim_create_autocmd('DiagnosticChanged', {
  callback = function()
    diagnostic_changes = diagnostic_changes + 1
  end,
})

local ok, err = pcall(function()
  vim.opt.runtimepath:prepend(os.getenv('NOTELS_NVIM_RTP'))
  -- The test runs the server from its own Python; everything else comes from lsp/notels.lua.
  vim.lsp.config('notels', { cmd = vim.json.decode(os.getenv('NOTELS_CMD')) })
  vim.lsp.enable('notels')

  vim.cmd.edit(vim.fn.fnameescape(os.getenv('NOTELS_NOTE')))
  record('filetype', vim.bo.filetype)
  local attached = vim.wait(15000, function()
    return #vim.lsp.get_clients({ bufnr = 0, name = 'notels' }) > 0
  end, 50)
  record('attached', attached)
  local client = vim.lsp.get_clients({ bufnr = 0, name = 'notels' })[1]
  if client then
    record('root_dir', client.root_dir)
    record('offset_encoding', client.offset_encoding)
  end

  -- 1. Diagnostics arrive for the opened note; once the vault is indexed (the server's
  -- progress ends) they are published again against the whole vault.
  record('indexed', vim.wait(15000, indexed, 50))
  local seen = diagnostic_changes
  vim.wait(3000, function()
    return diagnostic_changes > seen and #vim.diagnostic.get(0) > 0
  end, 50)
  local codes = {}
  for _, diagnostic in ipairs(vim.diagnostic.get(0)) do
    table.insert(codes, { code = diagnostic.code, lnum = diagnostic.lnum, col = diagnostic.col })
  end
  record('diagnostics', codes)
  if not client then
    return
  end

  -- 2. Completion after typing `[[Emb` at the end of the first body line.
  local line_count = vim.api.nvim_buf_line_count(0)
  vim.api.nvim_buf_set_lines(0, line_count, line_count, false, { 'See [[Emb' })
  -- Neovim sends didChange after its own debounce (150 ms); let the edit reach the server.
  vim.wait(400)
  local position = { line = line_count, character = #'See [[Emb' }
  local completion = client:request_sync('textDocument/completion', {
    textDocument = vim.lsp.util.make_text_document_params(0),
    position = position,
  }, 5000, 0)
  local labels = {}
  local words = {}
  if completion and completion.result then
    local items = completion.result.items or completion.result
    for _, item in ipairs(items) do
      table.insert(labels, item.label)
    end
    record('completion_defaults', completion.result.itemDefaults ~= nil)
    -- What Neovim's own completion makes of the list (defaults applied): each `complete()`
    -- item's word, and the edit it applies once chosen.
    for _, item in ipairs(vim.lsp.completion._lsp_to_complete_items(completion.result, 'Emb', client.id)) do
      local edit = item.user_data.nvim.lsp.completion_item.textEdit
      table.insert(words, { item.word, edit.newText, edit.range.start.character, edit.range['end'].character })
    end
  end
  record('completion_labels', labels)
  record('completion_words', words)
  vim.api.nvim_buf_set_lines(0, line_count, line_count + 1, false, {})
  vim.wait(400)

  -- 3. Go to definition on a link in the note.
  local link_line, link_col
  for index, text in ipairs(vim.api.nvim_buf_get_lines(0, 0, -1, false)) do
    local at = text:find('[[', 1, true)
    if at and not link_line then
      link_line, link_col = index - 1, at + 2
    end
  end
  if link_line then
    local definition = client:request_sync('textDocument/definition', {
      textDocument = vim.lsp.util.make_text_document_params(0),
      position = { line = link_line, character = link_col },
    }, 5000, 0)
    local targets = {}
    if definition and definition.result then
      local result = definition.result
      if result.uri or result.targetUri then
        result = { result }
      end
      for _, location in ipairs(result) do
        table.insert(targets, vim.uri_to_fname(location.uri or location.targetUri))
      end
    end
    record('definition', targets)
  end

  -- 4. The "Generate Anki ID" quick fix on the missing-id diagnostic, applied to the buffer.
  local missing
  for _, diagnostic in ipairs(vim.diagnostic.get(0)) do
    if diagnostic.code == 'missing-id' then
      missing = diagnostic
    end
  end
  if missing then
    local params = {
      textDocument = vim.lsp.util.make_text_document_params(0),
      range = {
        start = { line = missing.lnum, character = missing.col },
        ['end'] = { line = missing.end_lnum, character = missing.end_col },
      },
      context = { diagnostics = { missing.user_data.lsp }, only = { 'quickfix' } },
    }
    local actions = client:request_sync('textDocument/codeAction', params, 5000, 0)
    local titles = {}
    for _, action in ipairs((actions and actions.result) or {}) do
      table.insert(titles, action.title)
      if action.title == 'Generate Anki ID' then
        if not action.edit and client:supports_method('codeAction/resolve') then
          action = client:request_sync('codeAction/resolve', action, 5000, 0).result
        end
        vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding)
      end
    end
    record('code_actions', titles)
    record('buffer_after_fix', vim.api.nvim_buf_get_lines(0, 0, -1, false))
  end

  -- 5. A note written on disk by another program reaches the server through Neovim's file
  -- watcher (which lsp/notels.lua turns on for Linux too): its link stops being unresolved.
  local function unresolved()
    for _, diagnostic in ipairs(vim.diagnostic.get(0)) do
      if diagnostic.code == 'unresolved-link' then
        return true
      end
    end
    return false
  end
  local count = vim.api.nvim_buf_line_count(0)
  vim.api.nvim_buf_set_lines(0, count, count, false, { 'И [[Новая заметка]].' })
  record('unresolved_before', vim.wait(5000, unresolved, 50))
  local file = assert(io.open(os.getenv('NOTELS_NEW_NOTE'), 'w'))
  file:write('# Новая заметка\n')
  file:close()
  record('resolved_after_disk', vim.wait(10000, function()
    return not unresolved()
  end, 50))
  record('generate_ids_command', vim.fn.exists(':NotelsGenerateIds') == 2)

  -- 6. A hover window is a Markdown buffer too: no server for it.
  local float_buf = vim.lsp.util.open_floating_preview({ '# Hover', 'text' }, 'markdown')
  vim.wait(300)
  record('clients_on_hover_window', #vim.lsp.get_clients({ bufnr = float_buf, name = 'notels' }))

  -- 7. Markdown outside every vault gets no server.
  vim.cmd.edit(vim.fn.fnameescape(os.getenv('NOTELS_OUTSIDE_NOTE')))
  vim.wait(1000)
  record('clients_outside', #vim.lsp.get_clients({ bufnr = 0, name = 'notels' }))
end)
if not ok then
  record('error', tostring(err))
end
finish()
