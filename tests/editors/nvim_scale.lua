-- A real headless Neovim 0.11, with the repository's lsp/notels.lua, on a large vault: what a
-- user waits for and how long Neovim's own main loop stalls. Inputs (environment):
-- NOTELS_NVIM_RTP (editors/neovim), NOTELS_CMD (JSON list), NOTELS_NOTE (opened first),
-- NOTELS_STEPS (comma list, `start` always runs; see benchmarks/nvim_scale.sh), NOTELS_OUT, and
-- per step: idle NOTELS_IDLE_S; disk, bulk NOTELS_TARGET (a note NOTELS_NOTE links to, deleted
-- by a shell command); typing, completion NOTELS_LARGE (a long note typed into); references,
-- rename NOTELS_POPULAR (a note with many backlinks) and NOTELS_LINKING (a note linking to it);
-- symbols NOTELS_SYMBOL_QUERIES; foldermove NOTELS_MOVED_FOLDER (relative to the vault);
-- headingrename NOTELS_HEADING_NOTE and NOTELS_HEADING.
-- Times are milliseconds since Neovim started or since the step's action. `stalls` holds, per
-- phase, the longest gap between ticks of a 10 ms timer scheduled on the main loop.
local driver = dofile(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)) .. '/nvim_driver.lua')
local uv = vim.uv
local out = { stalls = {}, big_stalls = {}, traffic = {}, handler_ms = {} }
local t0 = uv.hrtime()
local function now_ms()
  return (uv.hrtime() - t0) / 1e6
end
local function round(x)
  return math.floor(x * 10 + 0.5) / 10
end

local steps = {}
local default_steps = 'start,idle,disk,newfolder,typing,completion,symbols,references'
for step in (os.getenv('NOTELS_STEPS') or default_steps):gmatch('[^,]+') do
  steps[step] = true
end

-- The stall monitor: a 10 ms timer schedules a tick on Neovim's main loop, where keys are
-- handled; a late tick means the main loop was busy. (A libuv timer's own callback is no
-- measure: it also runs inside long operations that poll the loop, e.g. loading a buffer.)
local phase = 'start'
local last_tick = uv.hrtime()
local function tick()
  local t = uv.hrtime()
  local gap = (t - last_tick) / 1e6
  last_tick = t
  if gap > (out.stalls[phase] or 0) then
    out.stalls[phase] = round(gap)
  end
  if gap > 100 then
    table.insert(out.big_stalls, { phase, round(gap), round(now_ms()) })
  end
end
local ticker = assert(uv.new_timer())
ticker:start(10, 10, function()
  vim.schedule(tick)
end)
local function set_phase(name)
  phase = name
  last_tick = uv.hrtime()
end

-- What the server sends: messages and bytes per method (responses as `response`), and how long
-- Neovim spent handling each kind.
local counting = true
local create_read_loop = vim.lsp.rpc.create_read_loop
vim.lsp.rpc.create_read_loop = function(handle_body, ...)
  return create_read_loop(function(body)
    local started = uv.hrtime()
    handle_body(body)
    if counting then
      local method = body:match('"method"%s*:%s*"([^"]+)"') or 'response'
      local key = phase .. ' ' .. method
      -- messages, bytes, when the first and the last came (ms since Neovim started)
      local entry = out.traffic[key] or { 0, 0, round(now_ms()), 0 }
      entry[1], entry[2], entry[4] = entry[1] + 1, entry[2] + #body, round(now_ms())
      out.traffic[key] = entry
      local ms = (uv.hrtime() - started) / 1e6
      if ms > (out.handler_ms[key] or 0) then
        out.handler_ms[key] = round(ms)
      end
    end
  end, ...)
end

-- How long Neovim spends registering the server's file watchers.
local watchfiles = require('vim.lsp._watchfiles')
local register = watchfiles.register
watchfiles.register = function(reg, client_id)
  local started = uv.hrtime()
  register(reg, client_id)
  out.watch_register_ms = round((uv.hrtime() - started) / 1e6)
  out.watch_register_at = round(now_ms())
end

local notifications = driver.record_notifications()

local indexed = driver.watch_indexing()
local function codes(bufnr)
  local list = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(list, d.code)
  end
  return list
end
local function has_code(bufnr, code, lnum)
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.code == code and (lnum == nil or d.lnum == lnum) then
      return true
    end
  end
  return false
end

-- CPU seconds of this Neovim and of the server (with its worker processes).
local function cpu_of(pid)
  local stat = io.open('/proc/' .. pid .. '/stat')
  if not stat then
    return 0
  end
  local text = stat:read('*a')
  stat:close()
  local fields = vim.split(text:match('%) (.*)'), ' ')
  return (tonumber(fields[12]) + tonumber(fields[13])) / 100 -- utime, stime after the name
end
local function tree_cpu(pid)
  local total = cpu_of(pid)
  for _, child in ipairs(vim.api.nvim_get_proc_children(pid)) do
    total = total + tree_cpu(child)
  end
  return total
end
local function nvim_cpu()
  local usage = uv.getrusage()
  return usage.utime.sec + usage.utime.usec / 1e6 + usage.stime.sec + usage.stime.usec / 1e6
end
local function fs_event_handles()
  local count = 0
  uv.walk(function(handle)
    if uv.handle_get_type(handle) == 'fs_event' and not handle:is_closing() then
      count = count + 1
    end
  end)
  return count
end

-- Links matching `old` and `new` (Lua patterns) in every note of the vault: a loaded buffer's
-- text, else the file's (the server writes the notes a rename edits that are not loaded).
local function count_links(root, old, new)
  local old_count, new_count = 0, 0
  for name, kind in vim.fs.dir(root, { depth = math.huge }) do
    if kind == 'file' and name:match('%.md$') then
      local file = vim.fs.joinpath(root, name)
      local buf = vim.fn.bufnr(file)
      local text
      if buf ~= -1 and vim.api.nvim_buf_is_loaded(buf) then
        text = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n')
      else
        local handle = io.open(file, 'rb')
        text = handle and handle:read('*a') or ''
        if handle then
          handle:close()
        end
      end
      local _, o = text:gsub(old, '')
      local _, n = text:gsub(new, '')
      old_count, new_count = old_count + o, new_count + n
    end
  end
  return old_count, new_count
end

local function shell(script)
  local started = now_ms()
  vim.system({ 'sh', '-c', script }):wait()
  return started
end

local ok, err = pcall(function()
  vim.opt.runtimepath:prepend(os.getenv('NOTELS_NVIM_RTP'))
  vim.lsp.config('notels', { cmd = vim.json.decode(os.getenv('NOTELS_CMD')) })
  vim.lsp.enable('notels')

  -- 1. Open a note: attach, first diagnostics, end of indexing, diagnostics against the vault.
  local note = os.getenv('NOTELS_NOTE')
  local first_diagnostics, vault_diagnostics
  vim.api.nvim_create_autocmd('DiagnosticChanged', {
    callback = function(args)
      if not first_diagnostics and #vim.diagnostic.get(args.buf) > 0 then
        first_diagnostics = now_ms()
      end
      if not vault_diagnostics and has_code(args.buf, 'unresolved-link') then
        vault_diagnostics = now_ms() -- a finding that needs the whole vault indexed
      end
    end,
  })
  local indexed_at
  vim.api.nvim_create_autocmd('LspProgress', {
    callback = function(args)
      local value = args.data and args.data.params and args.data.params.value
      if type(value) == 'table' and value.kind == 'end' and not indexed_at then
        indexed_at = now_ms()
      end
    end,
  })
  local opened = now_ms()
  vim.cmd.edit(vim.fn.fnameescape(note))
  local note_buf = vim.api.nvim_get_current_buf()
  out.attached = vim.wait(20000, function()
    return #vim.lsp.get_clients({ bufnr = 0, name = 'notels' }) > 0
  end, 10)
  out.attach_ms = round(now_ms() - opened)
  local client = assert(vim.lsp.get_clients({ bufnr = 0, name = 'notels' })[1])
  out.indexed = vim.wait(60000, indexed, 10)
  out.first_diagnostics_ms = first_diagnostics and round(first_diagnostics - opened)
  out.indexed_ms = indexed_at and round(indexed_at - opened)
  vim.wait(5000, function()
    return vault_diagnostics ~= nil
  end, 10)
  out.vault_diagnostics_ms = vault_diagnostics and round(vault_diagnostics - opened)
  vim.wait(3000, function()
    return out.watch_register_ms ~= nil
  end, 10)
  vim.wait(2000) -- the refresh after indexing, and the pull it asks for
  out.note_codes = codes(note_buf)
  out.fs_event_handles = fs_event_handles()
  local server_pid = vim.api.nvim_get_proc_children(vim.fn.getpid())[1]

  -- 2. Idle: nothing typed. Neovim's CPU and the server's.
  if steps.idle then
    set_phase('idle')
    local nvim_before, server_before = nvim_cpu(), tree_cpu(server_pid)
    local idle_s = tonumber(os.getenv('NOTELS_IDLE_S') or '20')
    vim.wait(idle_s * 1000)
    out.idle_nvim_cpu_pct = round((nvim_cpu() - nvim_before) / idle_s * 100)
    out.idle_server_cpu_pct = round((tree_cpu(server_pid) - server_before) / idle_s * 100)
  end

  -- 3. A note the open one links to is deleted, then restored, by a shell command.
  if steps.disk then
    set_phase('disk')
    local target = os.getenv('NOTELS_TARGET')
    local name = vim.fn.fnamemodify(target, ':t:r')
    local lnum
    for i, line in ipairs(vim.api.nvim_buf_get_lines(note_buf, 0, -1, false)) do
      if line:find('[[' .. name, 1, true) and not lnum then
        lnum = i - 1
      end
    end
    out.disk_link_line = lnum
    out.disk_unresolved_before = has_code(note_buf, 'unresolved-link', lnum)
    local backup = vim.fn.tempname()
    local at = shell(('mv %s %s'):format(vim.fn.shellescape(target), vim.fn.shellescape(backup)))
    out.disk_delete_seen = vim.wait(15000, function()
      return has_code(note_buf, 'unresolved-link', lnum)
    end, 10)
    out.disk_delete_ms = round(now_ms() - at)
    at = shell(('cp %s %s'):format(vim.fn.shellescape(backup), vim.fn.shellescape(target)))
    out.disk_restore_seen = vim.wait(15000, function()
      return not has_code(note_buf, 'unresolved-link', lnum)
    end, 10)
    out.disk_restore_ms = round(now_ms() - at)
  end

  -- 3b. A note written into a new nested folder (as `git checkout` or a sync does): does the
  -- open note's link to it resolve?
  if steps.newfolder then
    set_phase('newfolder')
    local root = client.root_dir
    local count = vim.api.nvim_buf_line_count(note_buf)
    vim.api.nvim_buf_set_lines(note_buf, count, count, false, { 'New: [[Brand new nested note]]' })
    out.newfolder_unresolved_before = vim.wait(5000, function()
      return has_code(note_buf, 'unresolved-link', count)
    end, 10)
    local at = shell(('mkdir -p %s/Synced/Deep && printf "# Brand\\n" > %s/Synced/Deep/"Brand new nested note.md"'):format(
      vim.fn.shellescape(root),
      vim.fn.shellescape(root)
    ))
    out.newfolder_seen = vim.wait(10000, function()
      return not has_code(note_buf, 'unresolved-link', count)
    end, 10)
    out.newfolder_ms = round(now_ms() - at)
    vim.api.nvim_buf_set_lines(note_buf, count, count + 1, false, {})
    vim.wait(500)
  end

  -- 4. Typing into a long note: a word per keystroke batch, then a broken link last.
  if steps.typing then
    set_phase('open_large')
    vim.cmd.edit(vim.fn.fnameescape(os.getenv('NOTELS_LARGE')))
    local large = vim.api.nvim_get_current_buf()
    out.large_lines = vim.api.nvim_buf_line_count(large)
    vim.wait(5000, function()
      return #vim.diagnostic.get(large) > 0
    end, 10)
    set_phase('typing')
    local row = math.floor(out.large_lines / 2)
    -- A new line above `row`, typed a character at a time as insert mode would change it.
    vim.api.nvim_buf_set_lines(large, row - 1, row - 1, false, { '' })
    local text = 'Typing a line in a long note, then a link [[No such note at all]]'
    local started = now_ms()
    for i = 1, #text do
      vim.api.nvim_buf_set_text(large, row - 1, i - 1, row - 1, i - 1, { text:sub(i, i) })
      vim.wait(30) -- about 33 keys a second
    end
    local typed = now_ms()
    out.typing_line = vim.api.nvim_buf_get_lines(large, row - 1, row, false)[1]
    out.typing_chars = #text
    out.typing_wall_ms = round(typed - started)
    out.typing_final_seen = vim.wait(10000, function()
      return has_code(large, 'unresolved-link', row - 1)
    end, 5)
    out.typing_final_diag_ms = round(now_ms() - typed)

    -- 5. Completion after `[[` in that note: request_sync as Neovim's own completion asks.
    if steps.completion then
      set_phase('completion')
      vim.api.nvim_buf_set_lines(large, row, row, false, { 'See [[Hid' })
      vim.wait(400)
      local times, counts = {}, {}
      for _ = 1, 7 do
        local at = uv.hrtime()
        local answer = vim.lsp.buf_request_sync(large, 'textDocument/completion', {
          textDocument = vim.lsp.util.make_text_document_params(large),
          position = { line = row, character = #'See [[Hid' },
        }, 5000)
        table.insert(times, (uv.hrtime() - at) / 1e6)
        local result = answer and answer[client.id] and answer[client.id].result
        local items = result and (result.items or result) or {}
        table.insert(counts, #items)
        out.completion_first = items[1] and items[1].label
      end
      table.sort(times)
      out.completion_ms = round(times[4])
      out.completion_items = counts[1]
      -- The omnifunc (<C-x><C-o>): findstart then the list, as Neovim calls it.
      vim.api.nvim_win_set_cursor(0, { row + 1, #'See [[Hid' })
      local at = uv.hrtime()
      vim.bo[large].omnifunc = 'v:lua.vim.lsp.omnifunc'
      vim.api.nvim_feedkeys(vim.keycode('A<C-x><C-o>'), 'nx', false)
      out.omnifunc_ms = round((uv.hrtime() - at) / 1e6)
      vim.api.nvim_feedkeys(vim.keycode('<C-e><Esc>'), 'nx', false)
    end
  end

  -- 6. Workspace symbols.
  if steps.symbols then
    set_phase('symbols')
    local times, count = {}, 0
    for _, query in ipairs(vim.split(os.getenv('NOTELS_SYMBOL_QUERIES') or 'attention,Hidden,lemma,x,Симм', ',')) do
      local at = uv.hrtime()
      local answer = client:request_sync('workspace/symbol', { query = query }, 10000, note_buf)
      table.insert(times, (uv.hrtime() - at) / 1e6)
      out['symbols_' .. query .. '_ms'] = round(times[#times])
      count = math.max(count, answer and answer.result and #answer.result or 0)
    end
    table.sort(times)
    out.symbols_ms = round(times[math.ceil(#times / 2)])
    out.symbols_max_ms = round(times[#times])
    out.symbols_items = count
  end

  -- 7. References to a popular note, from a link to it, through vim.lsp.buf.references.
  local popular = os.getenv('NOTELS_POPULAR')
  local popular_name = vim.fn.fnamemodify(popular, ':t:r')
  local function cursor_on_link()
    -- A buffer holding a link to the popular note, the cursor on it.
    vim.cmd.edit(vim.fn.fnameescape(os.getenv('NOTELS_LINKING')))
    for i, line in ipairs(vim.api.nvim_buf_get_lines(0, 0, -1, false)) do
      local col = line:find('[[' .. popular_name, 1, true)
      if col then
        vim.api.nvim_win_set_cursor(0, { i, col + 2 })
        return true
      end
    end
    return false
  end
  if steps.references then
    set_phase('references')
    vim.wait(3000, function()
      return #vim.lsp.get_clients({ bufnr = 0 }) > 0
    end)
    out.references_cursor = cursor_on_link()
    vim.wait(500)
    local times = {}
    for _ = 1, 5 do
      local items
      local at = uv.hrtime()
      vim.lsp.buf.references(nil, {
        on_list = function(list)
          items = list.items
        end,
      })
      vim.wait(10000, function()
        return items ~= nil
      end, 2)
      table.insert(times, (uv.hrtime() - at) / 1e6)
      out.references_items = items and #items
    end
    table.sort(times)
    out.references_ms = round(times[3])
  end

  -- 8. Rename the popular note through vim.lsp.buf.rename, the cursor on a link to it.
  if steps.rename then
    set_phase('rename')
    cursor_on_link()
    vim.wait(300)
    local renamed = vim.fs.joinpath(vim.fs.dirname(popular), 'Renamed by review.md')
    local at = now_ms()
    vim.lsp.buf.rename('Renamed by review')
    out.rename_done = vim.wait(30000, function()
      return uv.fs_stat(renamed) ~= nil
    end, 5)
    out.rename_ms = round(now_ms() - at)
    vim.wait(500)
    -- Every note (in a buffer or on disk) must now link to the new name, none to the old one.
    local old, new = count_links(client.root_dir, '%[%[' .. vim.pesc(popular_name), '%[%[Renamed by review')
    local modified = 0
    for _, buf in ipairs(vim.api.nvim_list_bufs()) do
      if vim.api.nvim_buf_is_loaded(buf) and vim.bo[buf].modified then
        modified = modified + 1
      end
    end
    out.rename_old_links_left = old
    out.rename_new_links = new
    out.rename_modified_buffers = modified
    out.rename_loaded_buffers = #vim.tbl_filter(vim.api.nvim_buf_is_loaded, vim.api.nvim_list_bufs())
    set_phase('wa')
    local wa_at = now_ms()
    vim.cmd('silent! wa')
    out.wa_ms = round(now_ms() - wa_at)
    vim.wait(3000)
  end

  -- 9. :NotelsGenerateIds over the whole vault: every note holding a card without an ID is
  -- edited, in hidden buffers Neovim loads (and attaches the server to) one by one.
  if steps.generateids then
    vim.cmd.buffer(note_buf)
    set_phase('generateids')
    local before = #notifications
    local at = now_ms()
    vim.cmd('NotelsGenerateIds')
    out.generateids_at = round(at)
    -- Meanwhile the user asks for completion in the open note: how long does it wait?
    vim.wait(1500)
    local count = vim.api.nvim_buf_line_count(note_buf)
    vim.api.nvim_buf_set_lines(note_buf, count, count, false, { 'See [[Hid' })
    local asked = uv.hrtime()
    local answer = vim.lsp.buf_request_sync(note_buf, 'textDocument/completion', {
      textDocument = vim.lsp.util.make_text_document_params(note_buf),
      position = { line = count, character = #'See [[Hid' },
    }, 60000)
    out.generateids_completion_ms = round((uv.hrtime() - asked) / 1e6)
    out.generateids_completion_ok = answer ~= nil and answer[client.id] ~= nil
      and answer[client.id].result ~= nil
    out.generateids_said = vim.wait(120000, function()
      return #notifications > before
    end, 5) and notifications[#notifications]
    out.generateids_ms = round(now_ms() - at)
    out.generateids_loaded_buffers =
      #vim.tbl_filter(vim.api.nvim_buf_is_loaded, vim.api.nvim_list_bufs())
    set_phase('generateids_after')
    vim.wait(5000)
    out.generateids_clients_buffers = vim.tbl_count(client.attached_buffers)
  end

  -- 10. Many notes changed on disk at once (a sync, `git checkout`): 2,000 notes get a line,
  -- and the note the open one links to is deleted.
  if steps.bulk then
    vim.cmd.buffer(note_buf)
    set_phase('bulk')
    local target = os.getenv('NOTELS_TARGET')
    local name = vim.fn.fnamemodify(target, ':t:r')
    local lnum
    for i, line in ipairs(vim.api.nvim_buf_get_lines(note_buf, 0, -1, false)) do
      if line:find('[[' .. name, 1, true) and not lnum then
        lnum = i - 1
      end
    end
    local at = shell(
      ('cd %s && find . -name "*.md" | head -2000 | while IFS= read -r f; do printf "\\nsynced\\n" >> "$f"; done; rm %s'):format(
        vim.fn.shellescape(client.root_dir),
        vim.fn.shellescape(target)
      )
    )
    out.bulk_shell_ms = round(now_ms() - at)
    out.bulk_seen = vim.wait(30000, function()
      return has_code(note_buf, 'unresolved-link', lnum)
    end, 10)
    out.bulk_ms = round(now_ms() - at)
    vim.wait(3000)
  end

  -- 11. A folder moved out of the vault and copied back (a sync tool, `git stash`): are notes written
  -- later in its subfolders still seen?
  if steps.foldermove then
    vim.cmd.buffer(note_buf)
    set_phase('foldermove')
    local root = client.root_dir
    local folder = vim.fs.joinpath(root, os.getenv('NOTELS_MOVED_FOLDER'))
    local away = vim.fn.tempname()
    -- The open note links to a note in a subfolder of the moved folder.
    local existing
    for name, type in vim.fs.dir(folder, { depth = 2 }) do
      if type == 'file' and name:find('/') and name:match('%.md$') and not existing then
        existing = vim.fn.fnamemodify(name, ':t:r')
      end
    end
    local first = vim.api.nvim_buf_line_count(note_buf)
    vim.api.nvim_buf_set_lines(note_buf, first, first, false, { 'Existing: [[' .. existing .. ']]' })
    out.foldermove_existing = existing
    vim.wait(1000)
    shell(('mv %s %s'):format(vim.fn.shellescape(folder), vim.fn.shellescape(away)))
    out.foldermove_existing_gone = vim.wait(5000, function()
      return has_code(note_buf, 'unresolved-link', first)
    end, 10)
    -- Back as new files and folders (a copy, as `git checkout` or a sync writes them).
    shell(('cp -r %s %s && rm -rf %s'):format(vim.fn.shellescape(away), vim.fn.shellescape(folder), vim.fn.shellescape(away)))
    out.foldermove_existing_back = vim.wait(5000, function()
      return not has_code(note_buf, 'unresolved-link', first)
    end, 10)
    local count = vim.api.nvim_buf_line_count(note_buf)
    vim.api.nvim_buf_set_lines(note_buf, count, count, false, { 'Later: [[Written after the move]]' })
    out.foldermove_unresolved_before = vim.wait(5000, function()
      return has_code(note_buf, 'unresolved-link', count)
    end, 10)
    -- A subfolder of the moved folder (the folder itself is watched again, its subfolders?)
    local sub
    for name, type in vim.fs.dir(folder) do
      if type == 'directory' and not sub then
        sub = vim.fs.joinpath(folder, name)
      end
    end
    out.foldermove_sub = sub
    local at = shell(('printf "# Later\\n" > %s'):format(vim.fn.shellescape(sub .. '/Written after the move.md')))
    out.foldermove_seen = vim.wait(5000, function()
      return not has_code(note_buf, 'unresolved-link', count)
    end, 10)
    out.foldermove_ms = round(now_ms() - at)
    -- The same, written in the moved folder itself.
    vim.api.nvim_buf_set_lines(note_buf, count, count + 1, false, { 'Later: [[Written in the folder]]' })
    vim.wait(1000)
    at = shell(('printf "# Later\\n" > %s'):format(vim.fn.shellescape(folder .. '/Written in the folder.md')))
    out.foldermove_top_seen = vim.wait(5000, function()
      return not has_code(note_buf, 'unresolved-link', count)
    end, 10)
    out.foldermove_top_ms = round(now_ms() - at)
  end

  -- 12. Rename a heading many links point at (`[[Note#Heading]]`), cursor on the heading.
  if steps.headingrename then
    set_phase('headingrename')
    local file = os.getenv('NOTELS_HEADING_NOTE')
    local heading = os.getenv('NOTELS_HEADING')
    vim.cmd.edit(vim.fn.fnameescape(file))
    vim.wait(3000, function()
      return #vim.lsp.get_clients({ bufnr = 0 }) > 0
    end)
    for i, line in ipairs(vim.api.nvim_buf_get_lines(0, 0, -1, false)) do
      if line:match('^#+ ' .. vim.pesc(heading) .. '$') then
        vim.api.nvim_win_set_cursor(0, { i, #line - 1 })
        out.heading_line = i
        break
      end
    end
    local at = now_ms()
    vim.lsp.buf.rename('Renamed heading')
    vim.wait(10000, function()
      return vim.api.nvim_get_current_line():find('Renamed heading', 1, true) ~= nil
    end, 5)
    out.headingrename_ms = round(now_ms() - at)
    vim.wait(300)
    local name = vim.fn.fnamemodify(file, ':t:r')
    local old, new = count_links(
      client.root_dir,
      '%[%[' .. vim.pesc(name .. '#' .. heading),
      '%[%[' .. vim.pesc(name .. '#Renamed heading')
    )
    out.headingrename_old_left = old
    out.headingrename_new = new
  end
  set_phase('end')
end)
if not ok then
  out.error = tostring(err)
end
ticker:stop()
out.notifications = notifications
out.messages = vim.fn.execute('messages')
out.clients = #vim.lsp.get_clients({ name = 'notels' })
driver.finish(out)
