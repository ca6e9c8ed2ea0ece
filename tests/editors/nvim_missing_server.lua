-- Drives a real headless Neovim whose notels command cannot run, with the repository's own
-- lsp/notels.lua: what does the user see? Inputs (environment): NOTELS_NVIM_RTP
-- (editors/neovim), NOTELS_CMD (JSON list; unset keeps the config's own cmd), NOTELS_FIRST (the
-- first file opened), NOTELS_NOTE and NOTELS_OTHER_NOTE (two notes of the vault), NOTELS_SCRATCH
-- (a name inside the vault for a scratch buffer), NOTELS_NOT_ENABLED (read the config without
-- enabling it), NOTELS_OUT (JSON written here). After each
-- step it records every vim.notify call so far; the pytest side asserts on that record.
local driver = dofile(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)) .. '/nvim_driver.lua')
local out = { steps = {} }
local level_names = {}
for name, level in pairs(vim.log.levels) do
  level_names[level] = name
end
local notified = {}
vim.notify = function(msg, level)
  table.insert(notified, { level_names[level or vim.log.levels.INFO], msg })
end

local function step(name)
  -- The check runs scheduled for the first buffer; let it.
  vim.wait(500)
  table.insert(out.steps, { name = name, notified = vim.deepcopy(notified) })
end

driver.run(out, nil, function()
  vim.opt.runtimepath:prepend(os.getenv('NOTELS_NVIM_RTP'))
  if os.getenv('NOTELS_CMD') then
    vim.lsp.config('notels', { cmd = vim.json.decode(os.getenv('NOTELS_CMD')) })
  end
  if os.getenv('NOTELS_NOT_ENABLED') then
    local _ = vim.lsp.config.notels -- read, as listing configs does, but never enabled
  else
    vim.lsp.enable('notels')
  end

  -- Neovim reads lsp/notels.lua while it handles this first buffer's FileType event.
  vim.cmd.edit(vim.fn.fnameescape(os.getenv('NOTELS_FIRST')))
  step('first')

  -- A scratch buffer (buftype=nofile) named like a note of the vault, as plugins make them.
  local scratch = vim.api.nvim_create_buf(false, true)
  vim.api.nvim_buf_set_name(scratch, os.getenv('NOTELS_SCRATCH'))
  vim.bo[scratch].filetype = 'markdown'
  step('scratch')

  vim.cmd.edit(vim.fn.fnameescape(os.getenv('NOTELS_NOTE')))
  step('note')
  vim.cmd.edit(vim.fn.fnameescape(os.getenv('NOTELS_OTHER_NOTE')))
  step('other_note')
  out.clients = #vim.lsp.get_clients({ name = 'notels' })
end)
