-- The ceiling: one manifest request per image and side, nothing else, as fast as the registry answers.
-- wrk (and autocannon) wait for a body after a HEAD response and stall, so this sends GETs of the same
-- manifests: a GET costs the registry at least what a HEAD does, so the ceiling errs on the low side.
-- wrk drives one registry per process; the harness runs one wrk per side (source and destination) at
-- half the concurrency each, so together they make the two HEADs per image a validator cannot avoid.
-- CEILING_PATHS names a file of /v2/<name>/manifests/<tag> paths, one per line.
local accept = "application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, "
  .. "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json"
local paths = {}
for line in io.lines(os.getenv("CEILING_PATHS")) do
  if #line > 0 then
    paths[#paths + 1] = line
  end
end

local counter = 0
local offset = 0

function setup(thread)
  thread:set("offset", math.random(0, #paths - 1))
end

function init(_)
  offset = tonumber(wrk.thread:get("offset")) or 0
end

request = function()
  counter = counter + 1
  return wrk.format("GET", paths[((offset + counter) % #paths) + 1], { ["Accept"] = accept })
end
