-- Review s33: a note with CRLF line endings (a Windows tool, `core.autocrlf`), which Neovim
-- opens with 'fileformat' dos. The user does what the crlf-card warning asks: `:set ff=unix`
-- and `:w`. Inputs (environment): NOTELS_NVIM_RTP, NOTELS_CMD (JSON list), NOTELS_NOTE,
-- NOTELS_OUT. Records the diagnostics' codes before and after, and the file's bytes.
local driver = dofile(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)) .. '/nvim_driver.lua')
local out = {}
local notified = driver.record_notifications()
local indexed = driver.watch_indexing()

local function codes()
  local found = {}
  for _, diagnostic in ipairs(vim.diagnostic.get(0)) do
    table.insert(found, diagnostic.code)
  end
  table.sort(found)
  return found
end

local function has(code)
  return vim.list_contains(codes(), code)
end

driver.run(out, notified, function()
  driver.enable_notels()
  local note = os.getenv('NOTELS_NOTE')
  vim.cmd.edit(vim.fn.fnameescape(note))
  out.fileformat = vim.bo.fileformat
  out.attached = vim.wait(10000, function()
    return #vim.lsp.get_clients({ bufnr = 0, name = 'notels' }) > 0
  end, 50)
  out.indexed = vim.wait(10000, indexed, 50)
  vim.wait(5000, function()
    return has('crlf-card')
  end, 50)
  out.before = codes()
  vim.cmd('set fileformat=unix')
  vim.cmd('write')
  vim.wait(3000, function()
    return not has('crlf-card')
  end, 50)
  out.after_write = codes()
  local handle = assert(io.open(note, 'rb'))
  out.on_disk = handle:read('*a')
  handle:close()
end)
