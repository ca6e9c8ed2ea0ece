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

-- Write the record to NOTELS_OUT as JSON, for the pytest side to assert on, and quit.
function M.finish(out)
  local file = assert(io.open(os.getenv('NOTELS_OUT'), 'w'))
  file:write(vim.json.encode(out))
  file:close()
  vim.cmd('qa!')
end

return M
