# A host page's token endpoint in Ruby: GET /signet-token answers the logged-in
# customer's Signet token, signed with ruby-jwt. Run: SIGNET_KID=… SIGNET_SECRET=… ruby server.rb
require 'jwt' # ruby-jwt (Debian: ruby-jwt)
require 'webrick'

KID = ENV['SIGNET_KID']
SECRET = ENV['SIGNET_SECRET']
if KID.to_s.empty? || SECRET.to_s.empty?
  abort 'Set SIGNET_KID and SIGNET_SECRET to a signing key from Signet (signet keys create).'
end
HOST = ENV.fetch('HOST', '127.0.0.1')
PORT = Integer(ENV.fetch('PORT', '3000'))

# In your app: the customer of the request's session, nil when logged out.
# This example has one customer, always logged in.
def logged_in_customer
  { id: 'customer-42', name: 'Ada Lovelace', email: 'ada@example.com' }
end

def signet_token(customer)
  now = Time.now.to_i
  claims = {
    scope: 'user',
    external_id: customer[:id].to_s,
    name: customer[:name],
    email: customer[:email],
    email_verified: true, # only when your backend has verified it
    iat: now,
    exp: now + 600
  }
  # HS256, keyed by the secret string exactly as Signet showed it; the kid in the header.
  JWT.encode(claims, SECRET, 'HS256', { kid: KID })
end

server = WEBrick::HTTPServer.new(
  BindAddress: HOST, Port: PORT,
  Logger: WEBrick::Log.new($stderr, WEBrick::Log::WARN),
  AccessLog: [] # keep tokens out of access logs
)
server.mount_proc '/signet-token' do |request, response|
  raise WEBrick::HTTPStatus::NotFound unless request.request_method == 'GET' && request.path == '/signet-token'

  customer = logged_in_customer
  raise WEBrick::HTTPStatus::Unauthorized if customer.nil?

  response['Content-Type'] = 'text/plain'
  response['Cache-Control'] = 'no-store'
  response.body = signet_token(customer)
end
trap('TERM') { server.shutdown }
trap('INT') { server.shutdown }
puts "listening on http://#{HOST}:#{server.config[:Port]}"
$stdout.flush
server.start
