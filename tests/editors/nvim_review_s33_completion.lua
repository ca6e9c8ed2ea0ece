-- Review s33: Neovim 0.11's own completion (vim.lsp.completion, autotrigger on the server's
-- trigger characters), typed with real keys in insert mode, as a user of lsp/notels.lua does.
-- Inputs (environment): NOTELS_NVIM_RTP, NOTELS_CMD (JSON list), NOTELS_SETUP, NOTELS_NOTE,
-- NOTELS_TYPINGS (JSON list of { keys = what is typed after `o` on line `after` (default: the
-- last line), pick = the label of the item chosen }), NOTELS_OMNIFUNC (1: no
-- vim.lsp.completion.enable, the keys ask Neovim's default 'omnifunc' with <C-x><C-o>),
-- NOTELS_OUT. Records, for each typing, the labels shown and the line after the item is
-- accepted with <C-y>. Steps run from the main loop, which handles the typed keys.
local driver = dofile(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)) .. '/nvim_driver.lua')
local out = { typed = {} }
local notified = driver.record_notifications()
local indexed = driver.watch_indexing()

local function shown_labels()
  local labels = {}
  for _, item in ipairs(vim.fn.complete_info({ 'items' }).items) do
    table.insert(labels, item.abbr)
  end
  return labels
end

-- Each step returns nothing or a function that says when the next one may run (10 s at most).
local steps = {}
local function run_steps(index)
  local step = steps[index]
  if step == nil then
    out.notifications = notified
    return driver.finish(out)
  end
  local ok, until_ready = pcall(step)
  if not ok then
    out.error = tostring(until_ready)
    out.notifications = notified
    return driver.finish(out)
  end
  local started = vim.uv.now()
  local function poll()
    if until_ready == nil or until_ready() or vim.uv.now() - started > 10000 then
      run_steps(index + 1)
    else
      vim.defer_fn(poll, 20)
    end
  end
  vim.defer_fn(poll, 20)
end

table.insert(steps, function()
  driver.enable_notels()
  if os.getenv('NOTELS_OMNIFUNC') ~= '1' then
    vim.api.nvim_create_autocmd('LspAttach', {
      callback = function(args)
        vim.lsp.completion.enable(true, args.data.client_id, args.buf, { autotrigger = true })
      end,
    })
  end
  vim.o.completeopt = 'menuone,noselect'
  vim.cmd.edit(vim.fn.fnameescape(os.getenv('NOTELS_NOTE')))
  return function()
    return #vim.lsp.get_clients({ bufnr = 0, name = 'notels' }) > 0 and indexed()
  end
end)
for _, typing in ipairs(vim.json.decode(os.getenv('NOTELS_TYPINGS'))) do
  local record = { keys = typing.keys }
  table.insert(out.typed, record)
  table.insert(steps, function()
    vim.api.nvim_win_set_cursor(0, { typing.after or vim.api.nvim_buf_line_count(0), 0 })
    vim.api.nvim_input('o' .. typing.keys)
    return function()
      return vim.fn.pumvisible() == 1
    end
  end)
  table.insert(steps, function()
    record.labels = shown_labels()
    local position = vim.fn.index(record.labels, typing.pick)
    vim.api.nvim_input(string.rep('<C-n>', position + 1) .. '<C-y>')
    local before = vim.api.nvim_get_current_line()
    return function()
      return vim.fn.pumvisible() == 0 and vim.api.nvim_get_current_line() ~= before
    end
  end)
  table.insert(steps, function()
    -- Completion may finish the edit after the item is accepted (a resolve, a snippet).
    local started = vim.uv.now()
    return function()
      return vim.uv.now() - started > 500
    end
  end)
  table.insert(steps, function()
    record.line = vim.api.nvim_get_current_line()
    vim.api.nvim_input('<Esc>')
  end)
end
vim.schedule(function()
  run_steps(1)
end)
