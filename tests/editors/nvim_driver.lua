-- What the headless Neovim drivers of tests/editors/ share; each loads it with dofile.
local M = {}

-- A function telling whether a server's indexing run has ended (its $/progress `end`).
function M.watch_indexing()
  local ended = false
  vim.api.nvim_create_autocmd('LspProgress', {
    callback = function(args)
      local value = args.data and args.data.params and args.data.params.value
      if type(value) == 'table' and value.kind == 'end' then
        ended = true
      end
    end,
  })
  return function()
    return ended
  end
end

-- Every message shown through vim.notify, in order, as a list filled as they come (each is
-- still shown as usual).
function M.record_notifications()
  local recorded = {}
  local notify = vim.notify
  vim.notify = function(msg, ...)
    table.insert(recorded, msg)
    return notify(msg, ...)
  end
  return recorded
end

-- Put the repository's Neovim folder (NOTELS_NVIM_RTP) on the runtime path and turn notels on
-- with the command NOTELS_CMD (a JSON list): with require('notels').setup() when NOTELS_SETUP
-- is 1 (the config for Neovim 0.9/0.10), else with lsp/notels.lua and vim.lsp.enable.
function M.enable_notels()
  vim.opt.runtimepath:prepend(os.getenv('NOTELS_NVIM_RTP'))
  local cmd = vim.json.decode(os.getenv('NOTELS_CMD'))
  if os.getenv('NOTELS_SETUP') == '1' then
    require('notels').setup({ cmd = cmd })
  else
    vim.lsp.config('notels', { cmd = cmd })
    vim.lsp.enable('notels')
  end
end

-- Run the driver's steps (`body`, which fills `out`), keep the error they raise and, when given,
-- the messages `record_notifications` kept, then finish.
function M.run(out, notified, body)
  local ok, err = pcall(body)
  if not ok then
    out.error = tostring(err)
  end
  if notified ~= nil then
    out.notifications = notified
  end
  M.finish(out)
end

-- Write the record to NOTELS_OUT as JSON, for the pytest side to assert on, and quit.
function M.finish(out)
  local file = assert(io.open(os.getenv('NOTELS_OUT'), 'w'))
  file:write(vim.json.encode(out))
  file:close()
  vim.cmd('qa!')
end

return M
