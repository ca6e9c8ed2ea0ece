-- notels for Neovim 0.9 / 0.10, which lack vim.lsp.config: require('notels').setup({...}).
-- On 0.11+ prefer lsp/notels.lua with vim.lsp.enable('notels').
local M = {}

local defaults = {
  cmd = { 'notels', 'serve' },
  root_markers = { '.obsidian', '.notels.toml' },
  settings = { notels = vim.empty_dict() },
}

-- The nearest folder holding any of the markers; nil outside every vault.
local function find_root(bufnr, markers)
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name == '' then
    return nil
  end
  local found = vim.fs.find(markers, { upward = true, path = vim.fs.dirname(name) })[1]
  return found and vim.fs.dirname(found) or nil
end

-- What notels.generateIds answered, in words: as lsp/notels.lua says it, which users may copy
-- alone, hence this copy.
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

-- Renames: the server writes the notes not loaded in a buffer (see lsp/notels.lua).
local function rename_handler(err, result, ctx, config)
  local client = vim.lsp.get_client_by_id(ctx.client_id)
  if err or not result or not client then
    return vim.lsp.handlers['textDocument/rename'](err, result, ctx, config)
  end
  local params = { command = 'notels.applyEdit', arguments = { result, { writeClosedNotes = true } } }
  client.request('workspace/executeCommand', params, function(cmd_err, answer)
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
  end, ctx.bufnr)
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

-- One server for vaults nested in each other (see lsp/notels.lua). Written for 0.9/0.10, whose
-- clients take `client.notify(...)` and have no workspace folder API of their own.
local function reuse_client(client, config)
  -- With the client as its argument: a method on 0.11, a closure that ignores it before.
  local ok, stopped = pcall(client.is_stopped, client)
  if client.name ~= config.name or not ok or stopped or type(config.root_dir) ~= 'string' then
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
    client.notify('workspace/didChangeWorkspaceFolders', { event = { added = { added }, removed = {} } })
    client.workspace_folders = client.workspace_folders or {}
    table.insert(client.workspace_folders, added)
  end
  return nested
end

function M.setup(opts)
  local config = vim.tbl_deep_extend('force', defaults, opts or {})
  -- Notes named `.MD`: Markdown to notels and Obsidian, `conf` to Neovim (see lsp/notels.lua).
  vim.filetype.add({ extension = { MD = 'markdown', Md = 'markdown', mD = 'markdown' } })
  -- Neovim offers file watching only on macOS and Windows by default (see lsp/notels.lua).
  local capabilities = vim.tbl_deep_extend('force', vim.lsp.protocol.make_client_capabilities(), {
    workspace = { didChangeWatchedFiles = { dynamicRegistration = true } },
  })
  -- The vault's server for a vault note (a note saved under another vault's name, `:saveas`,
  -- is moved there once written: see lsp/notels.lua); none for other buffers.
  local start
  local function follow_saved_name(bufnr)
    vim.api.nvim_create_autocmd('BufWritePost', {
      buffer = bufnr,
      group = vim.api.nvim_create_augroup('notels.saved_name.' .. bufnr, { clear = true }),
      callback = function()
        local root = find_root(bufnr, config.root_markers)
        for _, client in ipairs((vim.lsp.get_clients or vim.lsp.get_active_clients)({ bufnr = bufnr })) do
          if client.name == 'notels' then
            if root and holds(client, root) then
              return
            end
            vim.lsp.buf_detach_client(bufnr, client.id)
          end
        end
        start(bufnr)
      end,
    })
  end
  start = function(buf)
    if vim.bo[buf].buftype ~= '' then
      return -- a hover window or another scratch buffer
    end
    local root = find_root(buf, config.root_markers)
    if not root then
      return
    end
    vim.lsp.start({
      name = 'notels',
      cmd = config.cmd,
      root_dir = root,
      capabilities = capabilities,
      settings = config.settings,
      handlers = { ['textDocument/rename'] = rename_handler },
      on_attach = function(client, bufnr)
        -- Accepted items' whole edits with the default 'omnifunc' (see lsp/notels.lua);
        -- vim.lsp.completion is new in 0.11.
        if vim.lsp.completion and vim.lsp.completion.enable then
          -- pcall: whatever it meets, :NotelsGenerateIds below is still made.
          pcall(vim.lsp.completion.enable, true, client.id, bufnr, { autotrigger = false })
        end
        follow_saved_name(bufnr)
        vim.api.nvim_buf_create_user_command(bufnr, 'NotelsGenerateIds', function()
          -- Notes not loaded in a buffer are written by the server (see lsp/notels.lua).
          local params = { command = 'notels.generateIds', arguments = { { writeClosedNotes = true } } }
          client.request('workspace/executeCommand', params, function(err, result)
            if err then
              vim.notify('notels: ' .. (err.message or tostring(err)), vim.log.levels.ERROR)
            else
              vim.notify(generated_ids_message(result or {}), vim.log.levels.INFO)
            end
          end, bufnr)
        end, { desc = 'notels: give every card of the vault without an ID a new one' })
      end,
    }, { bufnr = buf, reuse_client = reuse_client })
  end
  vim.api.nvim_create_autocmd('FileType', {
    pattern = 'markdown',
    group = vim.api.nvim_create_augroup('notels', { clear = true }),
    callback = function(args)
      start(args.buf)
    end,
  })
end

return M
