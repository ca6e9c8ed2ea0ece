-- notels for Neovim 0.11+: put this folder on 'runtimepath' (or copy this file into your
-- config's lsp/ folder), then call vim.lsp.enable('notels').

-- The vault: the nearest folder holding .obsidian/ or .notels.toml, whichever comes first on
-- the way up (a .notels.toml vault inside an .obsidian one is its own). Markdown elsewhere,
-- and scratch buffers such as hover windows (Markdown too), get no server.
local function find_vault(bufnr)
  if vim.bo[bufnr].buftype ~= '' then
    return nil
  end
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name == '' then
    return nil
  end
  local marker = vim.fs.find({ '.obsidian', '.notels.toml' }, {
    upward = true,
    path = vim.fs.dirname(name),
  })[1]
  return marker and vim.fs.dirname(marker) or nil
end

-- A `notels` that is executable but cannot start (a pipx script whose Python is gone, a venv
-- without the package or its pygls) would have Neovim report a failed start for every note
-- opened. The first note's start asks `notels --version` beside it, and a server that ends
-- before it answers `initialize` counts too: once either fails, the command is named once and
-- no other note starts it. Per command: 'ok', 'broken', or the starts waiting for the check.
local startable = {}
local initialized = {} -- client ids that answered `initialize`
local ended_early = {} -- per command: why its server ended while the check still ran

local function command_key(cmd)
  return type(cmd) == 'table' and table.concat(cmd, '\0') or nil
end

-- Say why the command cannot start, once, and start it for no other note.
local function mark_broken(cmd, problem)
  local key = command_key(cmd)
  if key == nil or startable[key] == 'broken' then
    return
  end
  startable[key] = 'broken'
  vim.notify(
    ('notels: `%s` cannot start, so notes get no checks: %s'):format(table.concat(cmd, ' '), problem),
    vim.log.levels.WARN
  )
end

-- `cmd` asking for the version instead of a server; nil for a command without `serve`.
local function version_cmd(cmd)
  for i, arg in ipairs(cmd) do
    if arg == 'serve' then
      local probe = vim.list_slice(cmd, 1, i - 1)
      table.insert(probe, '--version')
      return probe
    end
  end
  return nil
end

local function when_startable(start)
  local cmd = vim.lsp.config.notels.cmd
  local probe = type(cmd) == 'table' and version_cmd(cmd) or nil
  if probe == nil then
    return start()
  end
  local key = command_key(cmd)
  local state = startable[key]
  if state == 'ok' then
    return start()
  elseif state == 'broken' then
    return
  elseif state ~= nil then
    table.insert(state, start) -- a note opened while the first one's check runs
    return
  end
  startable[key] = {}
  local function settle(problem)
    local waiting = startable[key]
    problem = problem or ended_early[key] -- the version answered, but the server did not start
    ended_early[key] = nil
    if problem then
      mark_broken(cmd, problem)
      return
    end
    startable[key] = 'ok'
    for _, waiting_start in ipairs(waiting) do
      waiting_start()
    end
  end
  local spawned, err = pcall(vim.system, probe, { text = true }, function(result)
    vim.schedule(function()
      if result.code == 0 then
        settle(nil)
      else
        local lines = vim.split(vim.trim(result.stderr or ''), '\n')
        settle(lines[#lines] ~= '' and lines[#lines] or ('exit code ' .. result.code))
      end
    end)
  end)
  if not spawned then
    -- Without the Lua file and line of vim.system's error: "ENOENT: ..." is the news.
    settle((tostring(err):gsub('^.-:%d+: ', '')))
  end
  -- The first note starts at once: the check must not delay every session's start.
  start()
end

local function vault_root(bufnr, on_dir)
  local root = find_vault(bufnr)
  if root then
    when_startable(function()
      on_dir(root)
    end)
  end
end

-- Neovim starts no server whose command is not executable and says so only in its LSP log
-- (it checks cmd before it asks root_dir), so without notels installed a note just gets no
-- diagnostics, with no hint why. Say it once, for a Markdown buffer inside a vault.
local function warn_if_not_installed(bufnr)
  if vim.bo[bufnr].filetype ~= 'markdown' then
    return
  end
  -- Listing configs (:checkhealth, a plugin) reads this file too: only an enabled server counts.
  -- (vim.lsp.is_enabled is missing from the first 0.11 releases.)
  if vim.lsp.is_enabled and not vim.lsp.is_enabled('notels') then
    return
  end
  -- The merged config: a cmd set with vim.lsp.config('notels', { cmd = ... }) is the one run.
  local cmd = vim.lsp.config.notels.cmd
  if type(cmd) ~= 'table' or vim.fn.executable(cmd[1]) == 1 then
    return
  end
  if find_vault(bufnr) then
    -- notify_once: this file runs again after every vim.lsp.config('notels', ...) call.
    vim.notify_once(
      ('notels: `%s` is not executable, so notes get no checks. Install notels (pip install '
        .. '<a notels checkout>) or give its path: '
        .. "vim.lsp.config('notels', { cmd = { '/path/to/notels', 'serve' } })"):format(cmd[1]),
      vim.log.levels.WARN
    )
  end
end

-- Notes named `.MD` (Windows tools, exports): Markdown to notels and Obsidian, `conf` to
-- Neovim, so they got no server. Such a buffer already open when this file is read (it is read
-- during the first buffer's FileType event) is made Markdown too.
local MD_CAPS = { MD = 'markdown', Md = 'markdown', mD = 'markdown' }
vim.filetype.add({ extension = MD_CAPS })
vim.schedule(function()
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    local extension = vim.api.nvim_buf_get_name(bufnr):match('%.(%w%w)$')
    if MD_CAPS[extension] and vim.api.nvim_buf_is_loaded(bufnr) and vim.bo[bufnr].filetype ~= 'markdown' then
      vim.bo[bufnr].filetype = 'markdown'
    end
  end
end)

vim.api.nvim_create_autocmd('FileType', {
  pattern = 'markdown',
  group = vim.api.nvim_create_augroup('notels.not_installed', { clear = true }),
  callback = function(args)
    warn_if_not_installed(args.buf)
  end,
})
-- Neovim reads this file while it handles the FileType event of the first buffer, too late for
-- the autocmd above to fire for that buffer: check the buffers already open, once the config
-- this file returns is in place.
vim.schedule(function()
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) then
      warn_if_not_installed(bufnr)
    end
  end
end)

-- What notels.generateIds answered ({ ids, files, written, skipped, applied }), in words.
local function generated_ids_message(summary)
  local function plural(count, word)
    return ('%d %s%s'):format(count, word, count == 1 and '' or 's')
  end
  local ids, skipped = summary.ids or 0, summary.skipped or 0
  local left = skipped > 0 and (' %s left without one: see their quick fixes.'):format(plural(skipped, 'card'))
    or ''
  local written = summary.written or 0
  local in_buffers = (summary.files or 0) - written
  if ids == 0 then
    return 'notels: no card needed a new Anki ID.' .. left
  elseif summary.applied == false and written > 0 then
    return ('notels: wrote new Anki IDs into %s; the edit of %s was not applied.'):format(
      plural(written, 'note'),
      plural(in_buffers, 'open note')
    )
  elseif summary.applied == false then
    return ('notels: the %s could not be applied.'):format(plural(ids, 'new Anki ID'))
  end
  local unsaved = in_buffers > 0
      and (' %s changed in %s: `:wa` saves %s.'):format(
        plural(in_buffers, 'open note'),
        in_buffers == 1 and 'its buffer' or 'their buffers',
        in_buffers == 1 and 'it' or 'them'
      )
    or ''
  return ('notels: wrote %s in %s.%s%s'):format(
    plural(ids, 'new Anki ID'),
    plural(summary.files or 0, 'note'),
    unsaved,
    left
  )
end

-- vim.lsp.buf.rename applies the server's edit itself: it loads every note the edit names into
-- a buffer (filetype, syntax, the server attached: 4 s with the main loop blocked for a note 300
-- notes link to) and leaves them modified, while the note is renamed on disk at once: until
-- `:wa`, the links on disk name a note that is gone. notels.applyEdit with writeClosedNotes has
-- the server write the notes not loaded in a buffer (atomically, as `notels check --fix`) once
-- Neovim has applied the rest (the open notes, the file renamed).
local function rename_handler(err, result, ctx, config)
  local client = vim.lsp.get_client_by_id(ctx.client_id)
  if err or not result or not client then
    return vim.lsp.handlers['textDocument/rename'](err, result, ctx, config)
  end
  local command = {
    title = 'Rename',
    command = 'notels.applyEdit',
    arguments = { result, { writeClosedNotes = true } },
  }
  client:exec_cmd(command, { bufnr = ctx.bufnr }, function(cmd_err, answer)
    if cmd_err then
      vim.notify('notels: ' .. (cmd_err.message or tostring(cmd_err)), vim.log.levels.ERROR)
    elseif answer and answer.applied == false then
      vim.notify('notels: the rename was not applied.', vim.log.levels.WARN)
    elseif answer and (answer.skipped or 0) > 0 then
      -- Changed on disk since the rename was planned (a sync): they still name the old name.
      vim.notify(
        ('notels: %d note(s) changed meanwhile were left as they were; rename again to update them.'):format(
          answer.skipped
        ),
        vim.log.levels.WARN
      )
    end
  end)
end

-- One server for vaults nested in each other (a .notels.toml vault inside an .obsidian one):
-- with one server each, the outer one, which takes the inner vault's notes too, never heard of
-- the inner notes open in Neovim, and Generate IDs wrote them on disk under their unsaved
-- buffers. A note of either vault joins the running server, its vault one more workspace
-- folder of it; the server keeps them apart as nested vaults.
local function reuse_client(client, config)
  if client.name ~= config.name or client:is_stopped() or type(config.root_dir) ~= 'string' then
    return false
  end
  local root = config.root_dir
  local nested = false
  for _, folder in ipairs(client.workspace_folders or {}) do
    local dir = vim.uri_to_fname(folder.uri)
    if dir == root then
      return true
    end
    nested = nested or vim.startswith(root, dir .. '/') or vim.startswith(dir, root .. '/')
  end
  if nested then
    local added = { uri = vim.uri_from_fname(root), name = root }
    client:notify('workspace/didChangeWorkspaceFolders', { event = { added = { added }, removed = {} } })
    table.insert(client.workspace_folders, added)
  end
  return nested
end

-- Whether the client's folders hold the vault at `root`: its own folder, or one nested with it.
local function holds(client, root)
  for _, folder in ipairs(client.workspace_folders or {}) do
    local dir = vim.uri_to_fname(folder.uri)
    if dir == root or vim.startswith(root, dir .. '/') or vim.startswith(dir, root .. '/') then
      return true
    end
  end
  return false
end

-- A note saved under another vault's name (`:saveas`) stays on its server, which the note
-- makes take that vault in too, never hearing of the notes open there on another server:
-- Generate IDs wrote them on disk under their buffers. Once written (Neovim has given the
-- server the new name), it moves to its vault's server, or to none outside every vault (and
-- back to one when saved into a vault again).
local function follow_saved_name(bufnr)
  vim.api.nvim_create_autocmd('BufWritePost', {
    buffer = bufnr,
    group = vim.api.nvim_create_augroup('notels.saved_name.' .. bufnr, { clear = true }),
    callback = function()
      if vim.lsp.is_enabled and not vim.lsp.is_enabled('notels') then
        return
      end
      local root = find_vault(bufnr)
      for _, client in ipairs(vim.lsp.get_clients({ bufnr = bufnr, name = 'notels' })) do
        if root and holds(client, root) then
          return
        end
        vim.lsp.buf_detach_client(bufnr, client.id)
      end
      if root then
        local config = vim.deepcopy(vim.lsp.config.notels)
        config.name, config.root_dir = 'notels', root
        vim.lsp.start(config, { bufnr = bufnr, reuse_client = reuse_client })
      end
    end,
  })
end

---@type vim.lsp.Config
return {
  reuse_client = reuse_client,
  cmd = { 'notels', 'serve' },
  filetypes = { 'markdown' },
  root_dir = vault_root,
  -- Neovim offers file watching only on macOS and Windows by default; without it, notes that
  -- Obsidian, git or a sync tool change on disk would never reach the server on Linux.
  capabilities = vim.tbl_deep_extend('force', vim.lsp.protocol.make_client_capabilities(), {
    workspace = { didChangeWatchedFiles = { dynamicRegistration = true } },
  }),
  -- Sent to the server as the `notels` section of workspace/configuration; keys as in
  -- .notels.toml, e.g. { notels = { rules = { ['missing-id'] = 'error' }, ['id-style'] = 'plain' } }
  settings = { notels = vim.empty_dict() },
  handlers = { ['textDocument/rename'] = rename_handler },
  on_init = function(client)
    initialized[client.id] = true
  end,
  on_exit = function(code, _, client_id)
    local started = initialized[client_id]
    initialized[client_id] = nil
    if code ~= 0 and not started then
      -- It could not serve (pygls missing, a Python error at import): as a failed check,
      -- whose own reason, while it still runs, says more.
      vim.schedule(function()
        local cmd = vim.lsp.config.notels.cmd
        local key = command_key(cmd)
        local problem = ('it exited with code %d before it started'):format(code)
        if key ~= nil and type(startable[key]) == 'table' then
          ended_early[key] = problem
        else
          mark_broken(cmd, problem)
        end
      end)
    end
  end,
  on_attach = function(client, bufnr)
    -- Neovim's default 'omnifunc' (<C-x><C-o>) inserts only an item's word: the rest of its
    -- edit (a snippet's text: `[[Embedding layer]]`; the opening quote of a frontmatter link)
    -- is applied on CompleteDone by vim.lsp.completion alone. Enabled here without
    -- autotrigger; a user's own enable (in LspAttach, which runs first) is kept as it is.
    if vim.lsp.completion and vim.lsp.completion.enable then
      -- pcall: whatever it meets, :NotelsGenerateIds below is still made.
      pcall(vim.lsp.completion.enable, true, client.id, bufnr, { autotrigger = false })
    end
    follow_saved_name(bufnr)
    -- Every card of the vault without an ID gets one. The server writes the notes that are
    -- not loaded in a buffer itself (atomically, as `notels check --fix`): applying an edit to
    -- a file, Neovim loads it into a buffer (filetype, syntax: about 12 ms each) with its main
    -- loop blocked, 11 s for the 832 notes lacking IDs of a 10,000-note vault.
    vim.api.nvim_buf_create_user_command(bufnr, 'NotelsGenerateIds', function()
      local command = {
        title = 'Generate IDs',
        command = 'notels.generateIds',
        arguments = { { writeClosedNotes = true } },
      }
      client:exec_cmd(command, { bufnr = bufnr }, function(err, result)
        if err then
          vim.notify('notels: ' .. (err.message or tostring(err)), vim.log.levels.ERROR)
        else
          vim.notify(generated_ids_message(result or {}), vim.log.levels.INFO)
        end
      end)
    end, { desc = 'notels: give every card of the vault without an ID a new one' })
  end,
}
