# Generator: a valid-looking scenario of 17 MiB (a long description); the loader refuses it
# before parsing, whatever it holds.
printf '{"description": "'
head -c 17825792 /dev/zero | tr '\0' 'x'
printf '", "sources": [{"name": "web", "leads_per_week": 10}]}\n'
