--[[ landscape-headings.lua: in the PDF, the headings just before a `.landscape` block go onto its first page.

Quarto prints a landscape block on pages of its own (Typst's `#set page(flipped: true)` starts a new page), so a
heading left before it would end the portrait page, or stand alone on one, away from the table it introduces.
Only headings directly before the block move; other formats are left alone. ]]

if FORMAT ~= "typst" then
  return {}
end

local function is_landscape(block)
  return block.t == "Div" and block.classes:includes("landscape")
end

return {{
  Blocks = function(blocks)
    local result = pandoc.List()
    for _, block in ipairs(blocks) do
      if is_landscape(block) then
        local headings = pandoc.List()
        while #result > 0 and result[#result].t == "Header" do
          headings:insert(1, table.remove(result))
        end
        block.content = headings .. block.content
      end
      result:insert(block)
    end
    return pandoc.Blocks(result)
  end,
}}
