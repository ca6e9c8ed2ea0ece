-- What :NotelsGenerateIds says for the answers the server can give, through lsp/notels.lua's own
-- on_attach, with a stand-in client that answers notels.generateIds at once. NOTELS_SUMMARIES:
-- a JSON list of answers; NOTELS_OUT: where the JSON result goes.
local driver = dofile(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)) .. '/nvim_driver.lua')
local out = { said = driver.record_notifications(), arguments = {} }
driver.run(out, nil, function()
  local config = dofile(os.getenv('NOTELS_LSP_CONFIG'))
  local buf = vim.api.nvim_create_buf(true, false)
  for _, summary in ipairs(vim.json.decode(os.getenv('NOTELS_SUMMARIES'))) do
    local client = {
      exec_cmd = function(_, command, _, on_answer)
        table.insert(out.arguments, command.arguments)
        on_answer(nil, summary)
      end,
    }
    config.on_attach(client, buf)
    vim.api.nvim_buf_call(buf, function()
      vim.cmd('NotelsGenerateIds')
    end)
  end
end)
