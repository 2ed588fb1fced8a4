-- Argo CD health check for release-operator.io/Release (docs/argocd.md says how to install it).
--
-- Argo CD sets `obj` to the Release and reads the table this chunk returns: `status` (Healthy,
-- Progressing, Suspended or Degraded) and `message`. It runs the chunk in a sandbox: Lua 5.1
-- (gopher-lua) with only the base and table libraries, so nothing here uses string.*, math.*, os.* or
-- a method call on a string. Any field of the Release may be absent or of an unexpected type; a health
-- check that raises an error shows nothing useful, so every value is checked before it is used.
--
--   no status yet, or a status of an older generation           Progressing
--   verdict Released or Released-with-override                  Healthy
--   any other verdict (Rolled-Back, Rollback-Failed, Aborted)   Degraded
--   status.pendingDecision: the operator waits for a person     Suspended
--   Stalled=True without a verdict: a spec must change first    Degraded
--   anything else: working, or waiting for what comes by itself Progressing

local function text(value)
  if type(value) == "string" and value ~= "" then
    return value
  end
  return nil
end

local function record(value)
  if type(value) == "table" then
    return value
  end
  return nil
end

-- "<head>: <detail>", or whichever of the two exists.
local function labelled(head, detail)
  if head ~= nil and detail ~= nil then
    return head .. ": " .. detail
  end
  return detail or head
end

local function findCondition(status, conditionType)
  local conditions = record(status.conditions)
  if conditions == nil then
    return nil
  end
  for _, condition in ipairs(conditions) do
    if type(condition) == "table" and condition.type == conditionType then
      return condition
    end
  end
  return nil
end

local function isTrue(condition)
  return condition ~= nil and condition.status == "True"
end

-- The verdicts the operator writes. `named`: the operator's reason for it already starts with the
-- verdict ("Released: ...", "Aborted at Execute: ..."), so the reason is the whole message; a rollback's
-- reason is the chain of what happened, so the verdict is put in front of it.
local VERDICTS = {
  ["Released"] = { health = "Healthy", named = true },
  ["Released-with-override"] = { health = "Healthy", named = true },
  ["Aborted"] = { health = "Degraded", named = true },
  ["Rolled-Back"] = { health = "Degraded", named = false },
  ["Rollback-Failed"] = { health = "Degraded", named = false },
}

-- Reconciling reasons of a wait for a person. The operator sets status.pendingDecision for every one of
-- them; these cover a status whose pendingDecision was cut off or removed by hand.
local HUMAN_WAITS = {
  ["AwaitingApproval"] = true,
  ["AwaitingStrategy"] = true,
  ["AwaitingManualDeploy"] = true,
  ["AwaitingEscalation"] = true,
}

-- What the operator asks and the commands that answer it, from status.pendingDecision.
local function decisionMessage(pending)
  local asked = text(pending)
  local kind = nil
  local commands = {}
  local decision = record(pending)
  if decision ~= nil then
    asked = text(decision.question) or text(decision.message)
    kind = text(decision.kind)
    local given = record(decision.commands)
    if given ~= nil then
      for _, command in ipairs(given) do
        if text(command) ~= nil then
          table.insert(commands, command)
        end
      end
    end
  end
  local head = "Waiting for a decision"
  if kind ~= nil then
    head = head .. " (" .. kind .. ")"
  end
  local message = labelled(head, asked or "see status.pendingDecision.")
  if #commands > 0 then
    message = message .. " Answer with one of: " .. table.concat(commands, "; ")
  end
  return message
end

local function assess(release)
  local status = record(release.status)
  if status == nil or next(status) == nil then
    return "Progressing", "Waiting for the operator to pick the release up (no status yet)"
  end

  local metadata = record(release.metadata) or {}
  local generation = metadata.generation
  local observed = status.observedGeneration
  if type(generation) == "number" and type(observed) == "number" and observed < generation then
    return "Progressing",
      "Waiting for the operator to observe generation " .. generation
        .. " (the status is of generation " .. observed .. ")"
  end

  local reason = text(status.reason)
  local verdict = text(status.verdict)
  if verdict ~= nil then
    local known = VERDICTS[verdict]
    if known == nil then
      -- A verdict this check does not know (a newer operator): Ready says whether it is a success.
      local health = "Degraded"
      if isTrue(findCondition(status, "Ready")) then
        health = "Healthy"
      end
      return health, labelled(verdict, reason)
    end
    if known.named and reason ~= nil then
      return known.health, reason
    end
    return known.health, labelled(verdict, reason)
  end

  local pending = status.pendingDecision
  if record(pending) ~= nil or text(pending) ~= nil then
    return "Suspended", decisionMessage(pending)
  end
  local reconciling = findCondition(status, "Reconciling")
  if isTrue(reconciling) and HUMAN_WAITS[reconciling.reason] then
    return "Suspended", labelled("Waiting for a decision", text(reconciling.message) or reason)
  end

  local stalled = findCondition(status, "Stalled")
  if isTrue(stalled) then
    return "Degraded", labelled(text(stalled.reason) or "Stalled", text(stalled.message) or reason)
  end

  local detail = reason
  if detail == nil and reconciling ~= nil then
    detail = text(reconciling.message)
  end
  return "Progressing", labelled(text(status.phase) or "Pending", detail)
end

local hs = {}
if type(obj) ~= "table" then
  hs.status = "Unknown"
  hs.message = "No Release to assess"
  return hs
end
hs.status, hs.message = assess(obj)
return hs
